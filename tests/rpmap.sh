#!/usr/bin/env bash
# TAP: the rpmap command line (DESIGN.md §6) on examples/apache.conf.
set -u
rpmap="$1"; src="$2"; conf="$src/examples/apache.conf"
n=0
check() { # description, expected stdout, expected exit, command...
  local desc="$1" want="$2" wantrc="$3"; shift 3
  n=$((n + 1))
  local got rc
  got=$("$@" 2>/tmp/rpmap-test-err); rc=$?
  if [ "$got" = "$want" ] && [ "$rc" = "$wantrc" ]; then echo "ok $n - $desc"
  else echo "not ok $n - $desc"; echo "#   got [$got] rc=$rc, want [$want] rc=$wantrc"; sed 's/^/#   stderr: /' /tmp/rpmap-test-err; fi
}
echo "1..16"
check "map prints the backend URL" "http://backend.internal:8080/internal/users/42?tab=1" 0 \
  "$rpmap" -f "$conf" map '/app/users/42?tab=1'
check "an exclusion exits 1" "" 1 "$rpmap" -f "$conf" map /app/static/logo.css
check "no rule exits 1" "" 1 "$rpmap" -f "$conf" map /other
check "an input error exits 2" "" 2 "$rpmap" -f "$conf" map '/app/%zz'
check "error format on stderr" "rpmap: RP_E_BAD_PERCENT: '%' not followed by two hex digits" 0 \
  sh -c "'$rpmap' -f '$conf' map /app/%zz 2>&1 >/dev/null; true"
check "-e decodes \\xHH" "!RP_E_CTL" 0 \
  sh -c "printf '/app/a\\\\x0db\n' | '$rpmap' -e -f '$conf' map -"
check "batch mode prints one line per input" "$(printf 'http://backend.internal:8080/internal/x\n!EXCLUDED\n!NO_MATCH\nhttp://images.internal/static/a.png\nhttp://api.internal:9090/v1/items')" 0 \
  sh -c "printf '/app/x\n/app/static/a\n/nope\n/img/a.png\n/api/items\n' | '$rpmap' -f '$conf' map -"
check "check reports a finding with file, line and column, and exits 1 on warnings" \
  "$conf:21:1: warning: [cookie-path-boundary] ProxyPassReverseCookiePath /internal /app also rewrites Path=/internalx (a text prefix, not a path segment): it becomes /app" 1 \
  "$rpmap" -f "$conf" check
check "location rewrites a backend URL" "https://www.example.com/app/x?y" 0 \
  "$rpmap" -f "$conf" --public https://www.example.com location 'http://backend.internal:8080/internal/x?y'
check "location leaves a foreign URL alone" "http://evil.example/internal/x" 0 \
  "$rpmap" -f "$conf" --public https://www.example.com location http://evil.example/internal/x
check "header batch mode" "$(printf 'http://pub/api/z\n!UNCHANGED')" 0 \
  sh -c "printf 'Location: http://api.internal:9090/v1/z\nX-Foo: bar\n' | '$rpmap' -f '$conf' --request /api/q --public http://pub header -"
# --format nginx (docs/nginx.md) on examples/nginx.conf
nconf="$src/examples/nginx.conf"
check "--format nginx: batch map" "$(printf 'http://backend.internal:8080/internal/users/42?tab=1\n!EXCLUDED\nhttp://images.internal/static/cat.png\nhttp://api.internal:9090/api/a/../b\n!EXCLUDED\n!NO_MATCH')" 0 \
  sh -c "printf '/app/users/42?tab=1\n/app/static/logo.css\n/img/cat.png\n/api/a/../b\n/api\n/elsewhere\n' | '$rpmap' -f '$nconf' --format nginx map -"
check "--format nginx: proxy_redirect default" "https://www.example.com/app/y" 0 \
  "$rpmap" -f "$nconf" --format nginx --request /app/x --public https://www.example.com header Location http://backend.internal:8080/internal/y
check "--format apache is the default (nginx text gives no Apache rules)" "" 1 "$rpmap" -f "$nconf" map /app/x
check "--format takes apache or nginx" "rpmap: RP_E_ARG: --format takes apache or nginx" 0 \
  sh -c "'$rpmap' -f '$nconf' --format iis map /x 2>&1 >/dev/null; true"
printf 'location /a/ {\n    proxy_pass ftp://b/;\n}\n' > /tmp/rpmap-test-nginx.conf
check "--format nginx: errors carry file, line and column" \
  "rpmap: RP_E_CONFIG: /tmp/rpmap-test-nginx.conf:2:16: invalid URL prefix in \"ftp://b/\"" 0 \
  sh -c "'$rpmap' -f /tmp/rpmap-test-nginx.conf --format nginx map /a/x 2>&1 >/dev/null; true"
rm -f /tmp/rpmap-test-nginx.conf
