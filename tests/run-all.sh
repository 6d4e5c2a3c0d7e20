#!/usr/bin/env bash
# Build revproxy three times and run the test suites, four ways:
#   build       gcc, -Dwerror=true (the STYLE.md §5 warning set as errors);
#               every suite, then the unit and fuzz-replay suites again under
#               valgrind memcheck (meson test --setup valgrind);
#   build-asan  clang, AddressSanitizer + UBSan (-Dwerror=true too), every
#               suite, UBSAN_OPTIONS=halt_on_error=1;
#   build-tsan  gcc, ThreadSanitizer, the full threads test only.
# Ends with "N passed, M failed" counted from meson's test logs (all four
# runs); exits non-zero if anything failed or nothing ran.
set -u
cd "$(dirname "$0")/.."
rc=0
logs=()
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
for cfg in build build-asan; do
  opts=(-Dwerror=true)
  cc=${CC:-cc}
  if [ "$cfg" = build-asan ]; then
    opts+=(-Db_sanitize=address,undefined -Db_lundef=false)
    cc=clang
    # an older build-asan configured with gcc: start again with clang
    if [ -d "$cfg" ] && ! meson introspect --compilers "$cfg" 2>/dev/null | grep -q '"id": "clang"'; then
      rm -rf "$cfg"
    fi
  fi
  if [ -d "$cfg" ]; then
    CC=$cc meson setup --reconfigure "$cfg" "${opts[@]}" >"/tmp/revproxy-$cfg-setup.log" 2>&1 || {
      rm -rf "$cfg"; CC=$cc meson setup "$cfg" "${opts[@]}" >"/tmp/revproxy-$cfg-setup.log" 2>&1; }
  else
    CC=$cc meson setup "$cfg" "${opts[@]}" >"/tmp/revproxy-$cfg-setup.log" 2>&1
  fi || { cat "/tmp/revproxy-$cfg-setup.log"; echo "meson setup $cfg failed"; rc=1; continue; }
  if ! meson compile -C "$cfg"; then echo "build $cfg failed"; rc=1; continue; fi
  meson test -C "$cfg" --print-errorlogs || rc=1
  logs+=("$cfg/meson-logs/testlog.txt")
  if [ "$cfg" = build ]; then
    if command -v valgrind >/dev/null 2>&1; then
      meson test -C "$cfg" --setup valgrind --suite unit --suite fuzz --print-errorlogs || rc=1
      logs+=("$cfg/meson-logs/testlog-valgrind.txt")
    else
      echo "valgrind not installed: memcheck run failed"; rc=1
    fi
  fi
done
# build-tsan: gcc ThreadSanitizer, only the 16 threads x 100 000 calls test
# on one shared table with a reload (suite tsan; SECURITY.md R26). A race
# report makes the program exit non-zero (halt_on_error).
cfg=build-tsan
if { [ -d "$cfg" ] && meson setup --reconfigure "$cfg" -Db_sanitize=thread -Db_lundef=false >/tmp/revproxy-$cfg-setup.log 2>&1; } ||
   { rm -rf "$cfg"; meson setup "$cfg" -Db_sanitize=thread -Db_lundef=false >/tmp/revproxy-$cfg-setup.log 2>&1; }; then
  if meson compile -C "$cfg" tests/test_threads; then
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
      meson test -C "$cfg" --no-rebuild --suite tsan --print-errorlogs || rc=1
    logs+=("$cfg/meson-logs/testlog.txt")
  else echo "build $cfg failed"; rc=1; fi
else cat /tmp/revproxy-$cfg-setup.log; echo "meson setup $cfg failed"; rc=1; fi
passed=0; failed=0
for l in "${logs[@]}"; do
  [ -f "$l" ] || { echo "missing $l"; rc=1; continue; }
  p=$(grep -cE '^ok [0-9]+' "$l"); f=$(grep -cE '^not ok [0-9]+' "$l")
  # a test program that crashed, timed out or exited non-zero counts as one failure too
  x=$(grep -E '^result:' "$l" | grep -cvE 'exit status 0$')
  passed=$((passed + p)); failed=$((failed + f + x))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && [ "$rc" -eq 0 ]
