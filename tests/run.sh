#!/usr/bin/env bash
# Every test of the project, from a fresh clone: formatting, lints, unit and
# property tests, CLI tests, end-to-end tests, the benchmark harness on a tiny
# corpus, the criterion benchmarks once each, shell script checks, and the whole
# pipeline. Installs what it needs (shellcheck, gawk, ripgrep, time, chromium
# and the tansu Kafka broker) when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

need_apt() {
    local tool=$1 package=$2
    command -v "$tool" >/dev/null 2>&1 && return 0
    step "installing $package"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$package" >/dev/null
    command -v "$tool" >/dev/null 2>&1 || { echo "tests: could not install $package" >&2; exit 1; }
}

need_apt shellcheck shellcheck
# Peers of the comparison harness, which its own test runs end to end.
need_apt gawk gawk
need_apt rg ripgrep
[ -x /usr/bin/time ] || need_apt /usr/bin/time time
# The browser that renders `logmr report`'s chart in its end-to-end test.
need_apt chromium chromium

# The Kafka-protocol broker the end-to-end tests run against. Installed once
# into a cache outside the clone (about 8 minutes), then reused.
tansu_root=${LOGMR_TANSU_ROOT:-$HOME/.cache/logmr/tansu}
export TANSU_BIN=$tansu_root/bin/tansu
if [ ! -x "$TANSU_BIN" ]; then
    step "installing the tansu broker into $tansu_root (first run only)"
    cargo install tansu --features dynostore --locked --root "$tansu_root"
fi
"$TANSU_BIN" --version >/dev/null || { echo "tests: tansu at $TANSU_BIN does not run" >&2; exit 1; }

# The original Python producer the generator is compared with.
python3 -c 'import kafka' 2>/dev/null || { step "installing kafka-python"; python3 -m pip install --quiet kafka-python; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "shellcheck"
git ls-files -z "*.sh" tests/fixtures/bin/hadoop | xargs -0 shellcheck

step "cargo test"
cargo test --workspace

step "HDFS store against a real NameNode"
if [ -n "${LOGMR_TEST_HDFS:-}" ]; then
    cargo test -p logmr-ingest -- --ignored hdfs
else
    echo "SKIPPED: LOGMR_TEST_HDFS is not set, and no NameNode can run here."
    echo "         The commit protocol's tests ran against the local store, which shares its code."
fi

step "criterion benchmarks, once each in test mode"
cargo test -p logmr-bench --benches

step "the whole pipeline on one machine (README command 1)"
bash hadoop-jobs/pipeline.sh
