#!/usr/bin/env bash
# TAP: every function the header declares with RP_API has a man page built
# from docs/man/*.scd (its own page or a .so link to its group's page), every
# page renders with `man -l`, and after `meson install --destdir` `man NAME`
# finds each function and `man rpmap` finds the command (MANPATH).
# usage: man.sh HEADER MAN_BUILD_DIR BUILD_ROOT   (MAN_BUILD_DIR '' = not built)
set -u
hdr="$1"; mandir="$2"; build="$3"
if [ -z "$mandir" ]; then echo "1..0 # SKIP scdoc not found: man pages not built"; exit 0; fi
if ! command -v man >/dev/null; then echo "1..0 # SKIP man (man-db) not installed"; exit 0; fi
export MANPAGER=cat PAGER=cat MANWIDTH=80 LC_ALL=C.UTF-8
funcs=$(grep -oE 'RP_API[^(]*\brp_[a-z0-9_]+ *\(' "$hdr" | grep -oE 'rp_[a-z0-9_]+ *\($' | tr -d ' (' | sort -u)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   /'; fi; }

[ -n "$funcs" ]; t $? "the header declares RP_API functions"
for f in $funcs; do
  [ -s "$mandir/$f.3" ]; t $? "man page built for $f"
done
# every page that is not a .so link renders without warnings, and its NAME
# section names every function whose link points at it
for p in "$mandir"/*.[13]; do
  head -c 4 "$p" | grep -q '^\.so ' && continue
  out=$(man -l "$p" 2>"$tmp/err"); rc=$?
  [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ -n "$out" ]
  t $? "man -l $(basename "$p") renders without warnings" "$(cat "$tmp/err")"
done
for f in $funcs; do
  page="$mandir/$f.3"
  [ -s "$page" ] || continue
  if head -c 4 "$page" | grep -q '^\.so '; then
    target=$(sed -n 's|^\.so man3/||p' "$page")
    sed -n '/^\.SH NAME/,/^\.SH/p' "$mandir/$target" | grep -qw -- "$f"
    t $? "$f links to $target, whose NAME section lists it"
  fi
done

# install into a temporary root and read the pages the way users do
if meson install -C "$build" --no-rebuild --destdir "$tmp/root" --tags man >"$tmp/log" 2>&1; then
  t 0 "meson install --destdir --tags man"
else
  t 1 "meson install --destdir --tags man" "$(tail -20 "$tmp/log")"
fi
mp=$(find "$tmp/root" -type d -name man1 -path '*/man/*' | head -1)
mp=${mp%/man1}
export MANPATH="$mp"
# wide enough that a NAME line listing several functions is not hyphenated
export MANWIDTH=250
out=$(man rpmap 2>&1)
printf '%s\n' "$out" | grep -q 'rpmap - try revproxy rules'; t $? "man rpmap works after install (MANPATH=$mp)" "$out"
out=$(man 3 revproxy 2>&1)
printf '%s\n' "$out" | grep -q 'revproxy - map request paths'; t $? "man 3 revproxy works after install" "$out"
for f in $funcs; do
  out=$(man 3 "$f" 2>&1)
  printf '%s\n' "$out" | sed -n '/^NAME/,/^SYNOPSIS/p' | grep -qw -- "$f"
  t $? "man 3 $f works after install" "$(printf '%s\n' "$out" | head -5)"
done
echo "1..$n"
