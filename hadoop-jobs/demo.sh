#!/usr/bin/env bash
# The main job on the embedded default: count log lines per level over the
# sample logs kept in the repository (or over the .log files of DIR), run the
# way Hadoop Streaming runs it: one map task per file, each map output sorted
# and combined, then one shuffle sort and the reducer.
#
# Usage: hadoop-jobs/demo.sh [DIR]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
input=${1:-$root/mr/tests/data}

cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p logmr
logmr=$root/target/release/logmr

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
files=("$input"/*.log)
if [ ${#files[@]} -eq 0 ]; then
    echo "demo: no .log files in $input" >&2
    exit 2
fi

i=0
for file in "${files[@]}"; do
    "$logmr" map "$file" | LC_ALL=C sort -t$'\t' -k1,1 | "$logmr" reduce --strict > "$work/map-$i"
    i=$((i + 1))
done
cat "$work"/map-* | LC_ALL=C sort -t$'\t' -k1,1 | "$logmr" reduce --strict > "$work/result"

lines=$(awk 'END { print NR }' "${files[@]}")
counted=$(awk -F'\t' '{ n += $2 } END { print n + 0 }' "$work/result")

echo "level counts over ${#files[@]} files in $input:"
awk -F'\t' -v total="$counted" '{ printf "  %-10s %8d  %5.1f%%\n", $1, $2, total ? 100 * $2 / total : 0 }' "$work/result"
echo "  total      $(printf '%8d' "$counted") lines"
if [ "$counted" -ne "$lines" ]; then
    echo "demo: the counts sum to $counted but the input has $lines lines" >&2
    exit 1
fi
