#!/usr/bin/env bash
# TAP: the consumers' view. Build revproxy from the source tree, install it
# with `meson install --destdir` into a temporary root, then build the
# standalone examples (examples/*.c) out of tree with nothing but
# `pkg-config --cflags --libs revproxy` (PKG_CONFIG_PATH and
# PKG_CONFIG_SYSROOT_DIR pointing into that root) and run them, and compile
# a C++ program against include/revproxy/revproxy.h with
# g++ -std=c++11 -Wall -Wextra -Werror -pedantic.
# usage: consumer.sh SOURCE_ROOT
set -u
src="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=/opt/revproxy-consumer-test
root="$tmp/root"
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; [ -n "${3:-}" ] && printf '%s\n' "$3" | tail -20 | sed 's/^/#   /'; fi; }
finish() { echo "1..$n"; exit 0; }

if meson setup "$tmp/b" "$src" --prefix "$prefix" -Dtests=disabled >"$tmp/log" 2>&1 &&
   meson compile -C "$tmp/b" >>"$tmp/log" 2>&1 &&
   meson install -C "$tmp/b" --destdir "$root" >>"$tmp/log" 2>&1; then
  t 0 "meson install --destdir into a temporary root"
else
  t 1 "meson install --destdir failed" "$(cat "$tmp/log")"; finish
fi
pc=$(find "$root" -name revproxy.pc | head -1)
[ -n "$pc" ]; t $? "revproxy.pc installed"
[ -n "$pc" ] || finish
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$root"
flags=$(pkg-config --cflags --libs revproxy 2>&1); rc=$?
t $rc "pkg-config --cflags --libs revproxy: $flags"
libdir=$(pkg-config --libs-only-L revproxy | tr " " "\n" | sed -n "s/^-L//p" | head -1)
[ -e "$libdir/librevproxy.so.0" ]; t $? "librevproxy.so.0 installed in the pkg-config libdir"
export LD_LIBRARY_PATH="$libdir"

# every standalone example: only the library, C11, no warnings
for c in "$src"/examples/*.c; do
  name=$(basename "$c" .c)
  if cc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -pedantic -o "$tmp/$name" "$c" \
       $(pkg-config --cflags --libs revproxy) 2>"$tmp/cc.log"; then
    t 0 "examples/$name.c builds out of tree with pkg-config only"
  else
    t 1 "examples/$name.c does not build out of tree" "$(cat "$tmp/cc.log")"
  fi
done
ldd "$tmp/map_request" 2>/dev/null | grep -q "$libdir/librevproxy.so.0"
t $? "map_request runs against the installed library"

out=$("$tmp/map_request" '/app/users/42?tab=1' 2>&1)
[ "$out" = "http://backend.internal:8080/internal/users/42?tab=1" ]
t $? "map_request maps a request with the installed library" "got: $out"
out=$("$tmp/map_request" '/app/%2e%2e/%2e%2e/admin' 2>&1); rc=$?
[ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q 'RP_E_ABOVE_ROOT (HTTP 400)'
t $? "map_request refuses an escape above the root" "exit $rc: $out"

# the static library, with what pkg-config --static adds (Requires.private)
sflags=$(pkg-config --static --libs revproxy | sed 's/-lrevproxy/-Wl,-Bstatic -lrevproxy -Wl,-Bdynamic/')
if cc -std=c11 -Wall -Werror -o "$tmp/map_request_static" "$src/examples/map_request.c" \
     $(pkg-config --cflags revproxy) $sflags 2>"$tmp/cc.log"; then
  out=$(LD_LIBRARY_PATH= "$tmp/map_request_static" '/app/users/42?tab=1' 2>&1)
  ! ldd "$tmp/map_request_static" | grep -q librevproxy &&
    [ "$out" = "http://backend.internal:8080/internal/users/42?tab=1" ]
  t $? "map_request links librevproxy.a with pkg-config --static --libs and maps a request" "got: $out"
else
  t 1 "linking librevproxy.a with pkg-config --static --libs failed" "$(cat "$tmp/cc.log")"
fi

# the out-of-tree rpmap against the installed one, on the sample rules
inputs='/app/users/42?tab=1
/app/static/logo.css
/img/cat.png
/api/items
/app/x/../../etc/passwd
/app/%2e%2e/admin
/elsewhere'
installed=$(find "$root" -type f -name rpmap -perm -u+x | head -1)
[ -n "$installed" ]; t $? "rpmap installed"
a=$(printf '%s\n' "$inputs" | "$tmp/rpmap" -f "$src/examples/apache.conf" map - 2>&1)
b=$(printf '%s\n' "$inputs" | "$installed" -f "$src/examples/apache.conf" map - 2>&1)
[ -n "$a" ] && [ "$a" = "$b" ]; t $? "out-of-tree rpmap answers as the installed rpmap" "$(diff <(echo "$a") <(echo "$b"))"
printf '%s\n' "$a" | grep -qx 'http://api.internal:9090/v1/items'
t $? "out-of-tree rpmap maps through a <Location> rule" "$a"
out=$("$tmp/rpmap" -f "$src/examples/apache.conf" --public https://www.example.com \
        cookie 'sid=1; Domain=backend.internal; Path=/internal/x' 2>&1)
[ "$out" = 'sid=1; Domain=public.example; Path=/app' ]
t $? "out-of-tree rpmap rewrites a Set-Cookie" "got: $out"

# the header from C++
cat >"$tmp/cxx.cpp" <<'CXX'
#include <revproxy/revproxy.h>
#include <cstdio>
#include <cstring>

int main()
{
    rp_builder *b = nullptr;
    rp_table *t = nullptr;
    rp_diag d;
    if (rp_builder_new(RP_PROFILE_STRICT, nullptr, &b) != RP_OK)
        return 2;
    const char rules[] = "ProxyPass /app http://backend.internal:8080/internal\n";
    rp_status st = rp_builder_add_config(b, rules, sizeof rules - 1, "cxx", &d);
    if (st == RP_OK)
        st = rp_builder_compile(b, &t, &d);
    rp_builder_free(b);
    if (st != RP_OK)
        return 2;
    char out[16385]; /* the default output limit (16384) + 1 */
    size_t n = 0;
    rp_match m;
    st = rp_map_request(t, "/app/x", 6, nullptr, 0, RP_MAP_DEFAULT, out, sizeof out, &n, &m);
    if (st != RP_OK)
        return 1;
    std::printf("%s\n", out);
    rp_response_ctx ctx = {"https://www.example.com", 23, out, n, "/app/x", 6};
    const char loc[] = "http://backend.internal:8080/internal/y";
    st = rp_rewrite_response_header(t, "Location", 8, loc, sizeof loc - 1, &ctx, 0, out,
                                    sizeof out, &n);
    std::printf("%s %s\n", rp_status_name(st), out);
    rp_forwarded f = {};
    f.client_addr = "192.0.2.1";
    f.client_addr_len = std::strlen(f.client_addr);
    st = rp_format_forwarded(RP_FWD_X_FORWARDED_FOR, &f, out, sizeof out, &n);
    std::printf("%s %s %u %s\n", rp_status_name(st), out, static_cast<unsigned>(rp_version()),
                rp_version_string());
    rp_table_free(t);
    return 0;
}
CXX
if command -v g++ >/dev/null; then
  if g++ -std=c++11 -Wall -Wextra -Werror -pedantic -o "$tmp/cxx" "$tmp/cxx.cpp" \
       $(pkg-config --cflags --libs revproxy) 2>"$tmp/cxx.log"; then
    t 0 "revproxy.h compiles as C++11 (g++ -Wall -Wextra -Werror -pedantic)"
    out=$("$tmp/cxx" 2>&1)
    want="http://backend.internal:8080/internal/x
RP_OK https://www.example.com/app/y
RP_OK 192.0.2.1 $(printf '%s' "$(pkg-config --modversion revproxy)" | awk -F. '{print $1 * 65536 + $2 * 256 + $3}') $(pkg-config --modversion revproxy)"
    [ "$out" = "$want" ]; t $? "the C++ program maps, rewrites and formats" "got:
$out
want:
$want"
  else
    t 1 "revproxy.h does not compile as C++11" "$(cat "$tmp/cxx.log")"
  fi
else
  echo "ok $((n += 1)) # SKIP g++ not installed"
fi
finish
