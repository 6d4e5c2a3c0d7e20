#!/usr/bin/env bash
# TAP: the functions the header declares with RP_API, and only those, are
# exported by the shared library (STYLE.md §0.5).
set -u
hdr="$1"; so="$2"
want=$(grep -oE 'RP_API[^(]*\brp_[a-z0-9_]+ *\(' "$hdr" | grep -oE 'rp_[a-z0-9_]+ *\($' | tr -d ' (' | sort -u)
have=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDRBVW]$/ {print $3}' | sed 's/@.*//' | sort -u)
echo "1..4"
[ -n "$want" ] && echo "ok 1 - header declares RP_API functions" || echo "not ok 1 - no RP_API functions found in $hdr"
extra=$(comm -13 <(echo "$want") <(echo "$have"))
missing=$(comm -23 <(echo "$want") <(echo "$have"))
if [ -z "$extra" ]; then echo "ok 2 - nothing exported beyond the header"; else
  echo "not ok 2 - exported but not in the header:"; echo "$extra" | sed 's/^/#   /'; fi
if [ -z "$missing" ]; then echo "ok 3 - every header function is exported"; else
  echo "not ok 3 - declared but not exported:"; echo "$missing" | sed 's/^/#   /'; fi
# docs/api.md §12 (the symbol index) names every function, and counts them
api="$(dirname "$hdr")/../../docs/api.md"
undoc=$(for f in $want; do grep -q "^| \`$f\` | function |" "$api" || echo "$f"; done)
count=$(echo "$want" | wc -l)
if [ -z "$undoc" ] && grep -q "The $count functions are exactly" "$api"; then
  echo "ok 4 - docs/api.md indexes all $count functions"
else
  echo "not ok 4 - docs/api.md indexes all $count functions"
  [ -n "$undoc" ] && echo "$undoc" | sed 's/^/#   missing: /'
  grep -o "The [0-9]* functions are exactly" "$api" | sed 's/^/#   says: /'
fi
