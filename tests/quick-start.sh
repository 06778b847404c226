#!/usr/bin/env bash
# Runs the README's quick start as a new user would, on a copy of the sample
# logs in logs/: the commands of its first code block after "## Quick start",
# word for word, in a scratch directory, with cargo installing into a
# scratch root, and with `java` and `mvn` on PATH replaced by commands that
# fail, so that the quick start is shown to need no Java. Checks that the
# commands print counts and that the chart was written.
#
# Usage: bash tests/quick-start.sh [-h|--help]
#
# Exit codes: 0 the quick start works, 1 it does not, 2 bad arguments.
set -euo pipefail
case ${1:-} in
    -h | --help)
        echo "Usage: bash tests/quick-start.sh [-h|--help]"
        echo
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -n '/^# Usage/!s/^# \{0,1\}//p'
        exit 0
        ;;
    '') ;;
    *) echo "quick-start.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fail() {
    echo "quick-start.sh: $*" >&2
    exit 1
}

commands=$(awk '/^## Quick start/ { on = 1 } on && /^```sh/ { block = 1; next } block && /^```/ { exit } block' "$repo/README.md")
[ -n "$commands" ] || fail "no code block after '## Quick start' in README.md"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/logs" "$scratch/no-java"
cp "$repo"/mr/tests/data/*.log "$scratch/logs/"
for tool in java mvn; do
    printf '#!/bin/sh\necho "the quick start ran %s" >&2\nexit 97\n' "$tool" >"$scratch/no-java/$tool"
    chmod +x "$scratch/no-java/$tool"
done
# The commands run from the repository's root, on the user's own logs.
out=$(cd "$repo" && CARGO_INSTALL_ROOT=$scratch/root JAVA_HOME='' \
    PATH="$scratch/no-java:$scratch/root/bin:$PATH" \
    bash -euo pipefail -c "cd '$repo'; $(printf '%s\n' "$commands" | sed "s#logs/#$scratch/logs/#g; s#levels.html#$scratch/levels.html#g")") ||
    fail "the quick start failed"
echo "$out"
[ -x "$scratch/root/bin/logmr" ] || fail "cargo install put no logmr in the install root"
grep -q '^ERROR	' <<<"$out" || fail "logmr run printed no ERROR count"
grep -q '<svg' "$scratch/levels.html" || fail "no chart in levels.html"
grep -q 'Log lines per level and hour' "$scratch/levels.html" || fail "the chart is not of levels per hour"
echo "quick-start.sh: the README's quick start works without Java" >&2
