#!/usr/bin/env bash
# TAP: `rpmap check` (docs/rules.md, "Checking rules").
#  - every tests/data/check/<code>.conf must report <code>, and
#    <code>.ok.conf must not (first line "# rpmap: ARGS" replaces the
#    default arguments "check");
#  - every code the library can report has such a pair (the list is read
#    from lib/check.c, so a new code without tests fails here);
#  - golden.conf gives exactly golden.jsonl with --json, and exit status 2;
#  - exit status 0 for a clean table, 1 for warnings only, 2 for errors.
set -u
rpmap="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; src="$2"; dir="$src/tests/data/check"
n=0; fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
args_of() { # the rpmap arguments a data file asks for
  local a; a=$(sed -n '1s/^# rpmap: //p' "$1"); [ -n "$a" ] && echo "$a" || echo check
}
run_json() { # file -> JSON lines on stdout, exit status in $rc
  local f="$1" a; a=$(args_of "$f")
  # shellcheck disable=SC2086 # the arguments are words by design
  out=$(cd "$dir" && "$rpmap" -f "$(basename "$f")" ${a/check/check --json} 2>&1); rc=$?
}

codes=$(grep -oE 'add\(c, "[a-z0-9-]+"' "$src/lib/check.c" | sed 's/.*"\(.*\)"/\1/' | sort -u)
codes="$codes
config-error
config-warning"
[ -n "$codes" ] || { echo "1..1"; echo "not ok 1 - no finding codes found in lib/check.c"; exit 1; }
total=$(( $(echo "$codes" | wc -l) * 2 + 7 ))
echo "1..$total"

for code in $codes; do
  f="$dir/$code.conf"; g="$dir/$code.ok.conf"
  if [ ! -f "$f" ]; then nok "$code: triggered by $code.conf" "missing $f"
  else
    run_json "$f"
    if echo "$out" | grep -q "\"code\":\"$code\""; then ok "$code: triggered by $code.conf (exit $rc)"
    else nok "$code: triggered by $code.conf" "output: $out"; fi
  fi
  if [ ! -f "$g" ]; then nok "$code: not triggered by $code.ok.conf" "missing $g"
  else
    run_json "$g"
    if echo "$out" | grep -q "\"code\":\"$code\""; then nok "$code: not triggered by $code.ok.conf" "output: $out"
    elif [ "$rc" -ge 3 ]; then nok "$code: not triggered by $code.ok.conf" "exit $rc: $out"
    else ok "$code: not triggered by $code.ok.conf"; fi
  fi
done

# golden JSON lines (file names are relative: run from the data directory)
run_json "$dir/golden.conf"
want=$(cat "$dir/golden.jsonl")
if [ "$out" = "$want" ]; then ok "golden.conf gives golden.jsonl byte for byte"
else nok "golden.conf gives golden.jsonl byte for byte" "diff:" "$(diff <(echo "$want") <(echo "$out") | head -20)"; fi
if [ "$rc" = 2 ]; then ok "errors exit 2"; else nok "errors exit 2" "exit $rc"; fi
# every JSON line parses and has the documented keys
if echo "$out" | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    assert set(o) - {"other_line"} == {"file", "line", "column", "severity", "code", "message"}, o
    assert o["severity"] in ("info", "warning", "error"), o
    assert isinstance(o["line"], int) and isinstance(o["column"], int), o
'; then ok "every JSON line parses, with the documented keys"; else nok "every JSON line parses, with the documented keys"; fi

# exit statuses
(cd "$dir" && "$rpmap" -f shadowed-rule.ok.conf check >/dev/null 2>&1); rc=$?
[ "$rc" = 0 ] && ok "a clean table exits 0" || nok "a clean table exits 0" "exit $rc"
(cd "$dir" && "$rpmap" -f shadowed-rule.conf check >/dev/null 2>&1); rc=$?
[ "$rc" = 1 ] && ok "warnings only exit 1" || nok "warnings only exit 1" "exit $rc"
# text form: file:line:column: severity: [code] message
t=$(cd "$dir" && "$rpmap" -f shadowed-rule.conf check 2>&1)
if echo "$t" | grep -qE '^shadowed-rule\.conf:2:1: warning: \[shadowed-rule\] '; then ok "text form names file, line, column, severity and code"
else nok "text form names file, line, column, severity and code" "$t"; fi
# a finding with no position (a setting made by the nginx loader) has no ":0:0"
t=$(cd "$src/examples" && "$rpmap" -f nginx.conf --format nginx check 2>&1)
if echo "$t" | grep -qE '^nginx\.conf: warning: \[lenient-encoded-slashes\] RP_SLASHES_DECODE' &&
   ! echo "$t" | grep -q ':0:0:'; then ok "a finding without a position prints file: severity: [code]"
else nok "a finding without a position prints file: severity: [code]" "$t"; fi
[ "$fails" = 0 ]
