#!/usr/bin/env bash
# Builds the logmr binary that Hadoop nodes get: x86_64 Linux, needing at
# most glibc 2.17, so that it runs on every node a cluster still uses
# (CentOS/RHEL 7 have 2.17, Amazon Linux 2 2.26, RHEL 8 2.28). A binary
# built by `cargo build --release` needs the glibc of the machine that built
# it (2.34 and newer on current distributions), and its map tasks die on
# older nodes with "version `GLIBC_2.34' not found".
#
# Links against glibc 2.17 with cargo-zigbuild and zig, at pinned versions
# installed into target/portable-tools when missing: cargo-zigbuild from
# crates.io (--locked), zig as PyPI's ziglang in a virtual environment of
# its own, which stock Debian's python3 allows (it refuses pip installs
# into the system's). Builds with --locked. Checks the newest GLIBC symbol
# version the result needs, and prints its path:
# target/x86_64-unknown-linux-gnu/release/logmr, which the job scripts ship
# by default when it exists and is not older than the sources.
#
# Usage: bash mr/build-portable.sh [-h|--help]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
case ${1:-} in
    -h | --help)
        echo "Usage: bash mr/build-portable.sh [-h|--help]"
        echo
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -n '/^# Usage/!s/^# \{0,1\}//p'
        exit 0
        ;;
    '') ;;
    *) echo "build-portable: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

target=x86_64-unknown-linux-gnu
glibc=2.17
zigbuild_version=0.21.8
zig_version=0.14.1
tools=$PWD/target/portable-tools
if ! "$tools/bin/cargo-zigbuild" --version 2>/dev/null | grep -qF " $zigbuild_version"; then
    cargo install --quiet --locked --root "$tools" cargo-zigbuild --version "$zigbuild_version"
fi
if ! "$tools/venv/bin/python3" -c "import importlib.metadata as m; assert m.version('ziglang') == '$zig_version'" 2>/dev/null; then
    python3 -m venv "$tools/venv" || {
        echo "build-portable: python3 -m venv failed: install python3-venv (Debian) and try again" >&2
        exit 1
    }
    "$tools/venv/bin/python3" -m pip install --quiet "ziglang==$zig_version"
fi
command -v objdump >/dev/null 2>&1 || {
    echo "build-portable: objdump (Debian package binutils) is needed to check the result" >&2
    exit 1
}
# cargo-zigbuild finds zig as the venv's python3 -m ziglang.
PATH=$tools/venv/bin:$tools/bin:$PATH cargo zigbuild --locked --release --quiet -p logmr --bin logmr \
    --target "$target.$glibc" >&2
binary=target/$target/release/logmr
newest=$(objdump -T "$binary" | grep -o 'GLIBC_[0-9][0-9.]*' | sort -uV | tail -n 1)
if [ "$(printf '%s\n' "$newest" "GLIBC_$glibc" | sort -V | tail -n 1)" != "GLIBC_$glibc" ]; then
    echo "build-portable: $binary needs $newest, newer than glibc $glibc" >&2
    exit 1
fi
echo "build-portable: $binary needs glibc ${newest#GLIBC_} at most" >&2
echo "$binary"
