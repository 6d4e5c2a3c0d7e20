#!/usr/bin/env bash
# Build revproxy twice (plain, and with AddressSanitizer + UBSan) and run every
# test suite in both. Ends with "N passed, M failed" counted from meson's test
# logs; exits non-zero if anything failed or nothing ran.
set -u
cd "$(dirname "$0")/.."
rc=0
logs=()
for cfg in build build-asan; do
  opts=()
  [ "$cfg" = build-asan ] && opts=(-Db_sanitize=address,undefined -Db_lundef=false)
  if [ -d "$cfg" ]; then
    meson setup --reconfigure "$cfg" "${opts[@]}" >"/tmp/revproxy-$cfg-setup.log" 2>&1 || {
      rm -rf "$cfg"; meson setup "$cfg" "${opts[@]}" >"/tmp/revproxy-$cfg-setup.log" 2>&1; }
  else
    meson setup "$cfg" "${opts[@]}" >"/tmp/revproxy-$cfg-setup.log" 2>&1
  fi || { cat "/tmp/revproxy-$cfg-setup.log"; echo "meson setup $cfg failed"; rc=1; continue; }
  if ! meson compile -C "$cfg"; then echo "build $cfg failed"; rc=1; continue; fi
  meson test -C "$cfg" --print-errorlogs || rc=1
  logs+=("$cfg/meson-logs/testlog.txt")
done
passed=0; failed=0
for l in "${logs[@]}"; do
  [ -f "$l" ] || continue
  p=$(grep -cE '^ok [0-9]+' "$l"); f=$(grep -cE '^not ok [0-9]+' "$l")
  # a test program that crashed, timed out or exited non-zero counts as one failure too
  x=$(grep -E '^result:' "$l" | grep -cvE 'exit status 0$')
  passed=$((passed + p)); failed=$((failed + f + x))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && [ "$rc" -eq 0 ]
