#!/usr/bin/env bash
# TAP: install revproxy into a temporary prefix, then build and run a program
# against it with nothing but `pkg-config --cflags --libs revproxy`.
set -u
src="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..3"
if meson setup "$tmp/b" "$src" --prefix "$tmp/p" -Dtests=disabled >"$tmp/log" 2>&1 &&
   meson install -C "$tmp/b" >>"$tmp/log" 2>&1; then
  echo "ok 1 - meson install into a temporary prefix"
else
  echo "not ok 1 - meson install failed"; sed 's/^/# /' "$tmp/log" | tail -20; exit 0
fi
pc=$(dirname "$(find "$tmp/p" -name revproxy.pc | head -1)")
export PKG_CONFIG_PATH="$pc"
if cc -std=c11 -Wall -Werror -o "$tmp/map_request" "$src/examples/map_request.c" \
     $(pkg-config --cflags --libs revproxy) 2>"$tmp/cc.log"; then
  echo "ok 2 - example compiles with pkg-config --cflags --libs revproxy"
else
  echo "not ok 2 - compile failed"; sed 's/^/# /' "$tmp/cc.log"; exit 0
fi
libdir=$(pkg-config --variable=libdir revproxy)
out=$(LD_LIBRARY_PATH="$libdir" "$tmp/map_request" /app/users/42?tab=1 2>&1)
if [ "$out" = "http://backend.internal:8080/internal/users/42?tab=1" ]; then
  echo "ok 3 - installed library maps a request"
else
  echo "not ok 3 - unexpected output: $out"
fi
