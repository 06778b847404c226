#!/usr/bin/env bash
# Builds the logmr binary that Hadoop nodes get: x86_64 Linux, needing at
# most glibc 2.17, so that it runs on every node a cluster still uses
# (CentOS/RHEL 7 have 2.17, Amazon Linux 2 2.26, RHEL 8 2.28). A binary
# built by `cargo build --release` needs the glibc of the machine that built
# it (2.34 and newer on current distributions), and its map tasks die on
# older nodes with "version `GLIBC_2.34' not found".
#
# Links against glibc 2.17 with cargo-zigbuild and zig; installs either when
# missing (cargo-zigbuild from crates.io, zig as PyPI's ziglang). Checks the
# newest GLIBC symbol version the result needs, and prints its path:
# target/x86_64-unknown-linux-gnu/release/logmr, which the job scripts ship
# by default when it exists.
#
# Usage: bash mr/build-portable.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

target=x86_64-unknown-linux-gnu
glibc=2.17
command -v cargo-zigbuild >/dev/null 2>&1 || cargo install --quiet --locked cargo-zigbuild
if ! command -v zig >/dev/null 2>&1 && ! python3 -c 'import ziglang' 2>/dev/null; then
    python3 -m pip install --quiet ziglang
fi
command -v objdump >/dev/null 2>&1 || {
    echo "build-portable: objdump (Debian package binutils) is needed to check the result" >&2
    exit 1
}
cargo zigbuild --release --quiet -p logmr --bin logmr --target "$target.$glibc" >&2
binary=target/$target/release/logmr
newest=$(objdump -T "$binary" | grep -o 'GLIBC_[0-9][0-9.]*' | sort -uV | tail -n 1)
if [ "$(printf '%s\n' "$newest" "GLIBC_$glibc" | sort -V | tail -n 1)" != "GLIBC_$glibc" ]; then
    echo "build-portable: $binary needs $newest, newer than glibc $glibc" >&2
    exit 1
fi
echo "build-portable: $binary needs glibc ${newest#GLIBC_} at most" >&2
echo "$binary"
