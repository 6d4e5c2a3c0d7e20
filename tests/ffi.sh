#!/usr/bin/env bash
# Run the FFI bindings' tests against a built library:
#   examples/python/test_revproxy.py (ctypes; includes the Apache conformance
#   cases run through the binding) and examples/lua/test_revproxy.lua (LuaJIT).
#
# Usage: tests/ffi.sh LIBREVPROXY_SO SOURCE_ROOT
# Prints TAP: "1..2", then one line per binding. A missing interpreter is a
# SKIP, not a failure. The tests' own output is echoed as "# " comments.
#
# When a C compiler is present, a probe compiled against revproxy.h prints
# the size and field offsets of every public struct (REVPROXY_LAYOUT); both
# tests compare their declarations with it. When the library was built with
# AddressSanitizer, libasan is preloaded into the interpreters (leak checking
# off: the interpreters themselves do not free everything at exit).
set -u
if [ $# -ne 2 ]; then
  echo "usage: $0 LIBREVPROXY_SO SOURCE_ROOT" >&2
  exit 2
fi
lib=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..2"
if [ ! -f "$lib" ]; then
  echo "not ok 1 - python # library $lib not found"
  echo "not ok 2 - lua # library $lib not found"
  exit 1
fi

export REVPROXY_LIB="$lib" REVPROXY_SRC="$src"
export REVPROXY_CASES="$src/tests/data/apache-cases.jsonl"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the source tree
unset REVPROXY_LAYOUT

# ---- struct layout probe (optional)
cc=${CC:-cc}
if command -v "$cc" >/dev/null 2>&1; then
  cat >"$tmp/probe.c" <<'EOF'
#include <revproxy/revproxy.h>
#include <stddef.h>
#include <stdio.h>
#define S(t) printf(#t ".sizeof %zu\n", sizeof(t))
#define F(t, f) printf(#t "." #f " %zu\n", offsetof(t, f))
int main(void)
{
    printf("rp_status.sizeof %zu\n", sizeof(rp_status));
    S(rp_diag); F(rp_diag, code); F(rp_diag, line); F(rp_diag, column); F(rp_diag, offset);
    F(rp_diag, message);
    S(rp_match); F(rp_match, rule_index); F(rp_match, rule_line); F(rp_match, path_len);
    F(rp_match, remainder_offset); F(rp_match, query_offset); F(rp_match, host);
    F(rp_match, host_len);
    S(rp_response_ctx); F(rp_response_ctx, public_origin); F(rp_response_ctx, public_origin_len);
    F(rp_response_ctx, backend_url); F(rp_response_ctx, backend_url_len);
    F(rp_response_ctx, request_target); F(rp_response_ctx, request_target_len);
    S(rp_forwarded); F(rp_forwarded, client_addr); F(rp_forwarded, client_addr_len);
    F(rp_forwarded, client_port); F(rp_forwarded, host); F(rp_forwarded, host_len);
    F(rp_forwarded, proto); F(rp_forwarded, proto_len); F(rp_forwarded, prefix);
    F(rp_forwarded, prefix_len); F(rp_forwarded, by); F(rp_forwarded, by_len);
    F(rp_forwarded, prior); F(rp_forwarded, prior_len);
    S(rp_finding); F(rp_finding, code); F(rp_finding, severity); F(rp_finding, line);
    F(rp_finding, column); F(rp_finding, other_line); F(rp_finding, message);
    return 0;
}
EOF
  # version.h is generated into the build tree, next to the library
  if "$cc" -std=c11 -I"$src/include" -I"$(dirname "$lib")/include" -o "$tmp/probe" \
       "$tmp/probe.c" >"$tmp/probe.log" 2>&1 && "$tmp/probe" >"$tmp/layout.txt"; then
    export REVPROXY_LAYOUT="$tmp/layout.txt"
  else
    echo "# layout probe not built ($cc failed); struct layouts checked against docs only"
    sed 's/^/#   /' "$tmp/probe.log"
  fi
else
  echo "# no C compiler: struct layouts checked against docs only"
fi

# ---- sanitizer builds: the interpreters must load libasan first
asan=
if command -v ldd >/dev/null 2>&1; then
  asan=$(ldd "$lib" 2>/dev/null | awk '/libasan\.so/ { print $3; exit }')
fi
# clang links its sanitizer runtime into executables only: a clang-built
# library has it undefined, and the interpreters need clang's shared runtime
# (which carries UBSan's handlers too)
if [ -z "$asan" ] && command -v nm >/dev/null 2>&1 &&
   nm -D "$lib" 2>/dev/null | grep -q ' U __asan_init'; then
  for c in "${CC:-}" clang; do
    [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 || continue
    f=$("$c" -print-file-name=libclang_rt.asan-x86_64.so 2>/dev/null)
    if [ -f "$f" ]; then asan=$f; break; fi
  done
fi
run() {
  if [ -n "$asan" ]; then
    LD_PRELOAD="$asan${LD_PRELOAD:+:$LD_PRELOAD}" \
      ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$@"
  else
    "$@"
  fi
}
[ -n "$asan" ] && echo "# AddressSanitizer build: preloading $asan"

rc=0
# ---- 1: python
if command -v python3 >/dev/null 2>&1; then
  if run python3 "$src/examples/python/test_revproxy.py" >"$tmp/py.log" 2>&1; then
    grep -E '^# |^Ran |^OK' "$tmp/py.log" | sed 's/^# //; s/^/# python: /'
    echo "ok 1 - python"
  else
    sed 's/^/# /' "$tmp/py.log"
    echo "not ok 1 - python"
    rc=1
  fi
else
  echo "ok 1 - python # SKIP python3 not installed"
fi

# ---- 2: lua
if command -v luajit >/dev/null 2>&1; then
  if run luajit "$src/examples/lua/test_revproxy.lua" >"$tmp/lua.log" 2>&1; then
    grep -E '^# ' "$tmp/lua.log" | sed 's/^# //; s/^/# /'
    echo "ok 2 - lua"
  else
    sed 's/^/# /' "$tmp/lua.log"
    echo "not ok 2 - lua"
    rc=1
  fi
else
  echo "ok 2 - lua # SKIP luajit not installed"
fi
exit $rc
