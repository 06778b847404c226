#!/usr/bin/env bash
# Runs every coverage-guided fuzz target of logmr (cargo fuzz, libFuzzer,
# AddressSanitizer) for a bounded time each. The targets check the laws of
# logmr::laws on mutated input: the level detector, the key makers, the
# reduce line parser and the line buffer. A broken law stops the run: the
# input that broke it is saved under mr/fuzz/artifacts/TARGET/ and the exit
# code is 1. The corpus grows in mr/fuzz/corpus/ (not committed), seeded
# from the layout samples in mr/tests/data.
#
# Usage: bash mr/fuzz/run.sh [SECONDS-PER-TARGET]   (default 30)
# Installs cargo-fuzz from crates.io when it is missing.
set -euo pipefail
case ${1:-} in
    -h | --help)
        echo "Usage: bash mr/fuzz/run.sh [SECONDS-PER-TARGET]   (default 30)"
        echo
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -n '/^# Usage/!s/^# \{0,1\}//p'
        exit 0
        ;;
esac
cd "$(dirname "${BASH_SOURCE[0]}")"

seconds=${1:-30}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || {
    echo "fuzz: SECONDS-PER-TARGET must be a whole number above 0, not '$seconds'" >&2
    exit 2
}
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --quiet --locked cargo-fuzz
# cargo fuzz builds with compiler flags of the nightly channel (sanitizer
# coverage, -Zsanitizer): the nightly toolchain when one is installed, else
# the stable compiler with those flags let through.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    toolchain=(+nightly)
else
    toolchain=()
    export RUSTC_BOOTSTRAP=1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in $(cargo "${toolchain[@]}" fuzz list); do
    mkdir -p "corpus/$target"
    if ! cargo "${toolchain[@]}" fuzz run "$target" "corpus/$target" ../tests/data -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "fuzz: $target broke a law; the input is in mr/fuzz/artifacts/$target/" >&2
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz: $target: ${runs:-?} executions in ${seconds} s, no law broken"
done
