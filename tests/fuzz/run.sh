#!/usr/bin/env bash
# Build the libFuzzer targets with clang (ASan + UBSan, the library
# instrumented too) and run each one for SECONDS seconds on its corpus.
#
#   bash tests/fuzz/run.sh SECONDS [TARGET...]      (default: every target)
#
# Environment: BUILD (build directory, default build-fuzz), JOBS (libFuzzer
# -jobs/-workers per target, default 1), MERGE=1 to merge new inputs into
# tests/fuzz/corpus/<target>/ afterwards (-merge=1 keeps only inputs that add
# coverage), FUZZ_ARGS (extra libFuzzer flags).
# New inputs go to $BUILD/fuzz-corpus/<target>/; a crash is written to
# $BUILD/fuzz-artifacts/<target>/ and makes the script exit 1 at the end.
# The last stats line of every run is printed ("cov:" and exec counts) and the
# full log is $BUILD/fuzz-logs/<target>.log.
set -u
cd "$(dirname "$0")/../.."
secs=${1:?usage: run.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(map location cookie header config canon)
build=${BUILD:-build-fuzz}
jobs=${JOBS:-1}

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dfuzz=true -Dtests=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false || exit 2
fi
meson compile -C "$build" || exit 2

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
rc=0
root=$(pwd)
case $build in /*) ;; *) build=$root/$build ;; esac
for t in "${targets[@]}"; do
  exe="$build/tests/fuzz/fuzz_$t"
  [ -x "$exe" ] || { echo "run.sh: no fuzzer $exe"; rc=2; continue; }
  work="$build/fuzz-corpus/$t"; art="$build/fuzz-artifacts/$t"; logs="$build/fuzz-logs"
  log="$logs/$t.log"
  mkdir -p "$work" "$art" "$logs"
  par=()
  [ "$jobs" -gt 1 ] && par=(-jobs="$jobs" -workers="$jobs")
  echo "== fuzz_$t: $secs s"
  # libFuzzer writes fuzz-N.log (with -jobs) into the current directory
  # shellcheck disable=SC2086
  (cd "$logs" && exec "$exe" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=2048 -dict="$root/tests/fuzz/$t.dict" -artifact_prefix="$art/" \
    "${par[@]}" ${FUZZ_ARGS:-} "$work" "$root/tests/fuzz/corpus/$t") >"$log" 2>&1
  st=$?
  if [ "$jobs" -gt 1 ]; then cat "$logs"/fuzz-*.log >>"$log" 2>/dev/null; rm -f "$logs"/fuzz-*.log; fi
  grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$log" | tr '\n' ' '; echo
  if [ $st -ne 0 ] || ls "$art" | grep -q .; then
    echo "fuzz_$t FAILED (exit $st); inputs in $art/, log $log"
    grep -E 'INVARIANT|ERROR: (AddressSanitizer|libFuzzer)|runtime error' "$log" | head -5
    rc=1
  fi
  if [ "${MERGE:-0}" = 1 ]; then
    "$exe" -merge=1 "$root/tests/fuzz/corpus/$t" "$work" >>"$log" 2>&1
  fi
done
exit $rc
