#!/usr/bin/env bash
# TAP: the README quick start and .ci/run stay the same (the task: CI proves
# the README). The packages the README's first command installs are exactly
# those .ci/run installs, and .ci/run runs the README's test command.
set -u
src="$1"
readme_pkgs=$(grep -m1 -oE 'apt-get install -y [^&]*' "$src/README.md" | tr ' ' '\n' |
  grep -vE '^(apt-get|install|-y|--no-install-recommends|)$' | sort -u)
ci_pkgs=$(sed -n '/apt-get install/,/>\/dev\/null/p' "$src/.ci/run" | tr ' \\' '\n\n' |
  grep -vE '^(apt-get|install|-y|-qq|--no-install-recommends|>/dev/null|)$' | sort -u)
echo "1..3"
if [ -n "$readme_pkgs" ] && [ -n "$ci_pkgs" ]; then echo "ok 1 - both install lists found"
else echo "not ok 1 - both install lists found"; fi
if [ "$readme_pkgs" = "$ci_pkgs" ]; then echo "ok 2 - README quick start installs what .ci/run installs"
else echo "not ok 2 - README quick start installs what .ci/run installs"
  diff <(echo "$readme_pkgs") <(echo "$ci_pkgs") | sed 's/^/#   /'; fi
cmd="bash tests/run-all.sh"
if grep -qx "$cmd" "$src/README.md" && grep -qx "$cmd" "$src/.ci/run"; then echo "ok 3 - README and .ci/run both run: $cmd"
else echo "not ok 3 - .ci/run runs the README's test command"; fi
