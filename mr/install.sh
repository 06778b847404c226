#!/usr/bin/env bash
# Installs logmr for this user in one command: the binary (cargo install
# --path mr --locked, into ~/.cargo/bin, or ROOT/bin with --root), its man
# pages into ROOT/share/man/man1 (man finds them beside ROOT/bin on PATH),
# and its shell completions where the shells look for a user's own:
#   bash  ~/.local/share/bash-completion/completions/logmr
#   zsh   ~/.local/share/zsh/site-functions/_logmr (add that directory to
#         fpath in ~/.zshrc before compinit)
#   fish  ~/.local/share/fish/vendor_completions.d/logmr.fish
# ($XDG_DATA_HOME instead of ~/.local/share when it is set). All of it comes
# from `logmr generate`. Needs Rust (rustup.rs) and nothing else: no Java.
#
# Usage: bash mr/install.sh [--root DIR] [--logmr PATH] [-h|--help]
#   --root DIR     install under DIR (DIR/bin, DIR/share/man) [default:
#                  $CARGO_INSTALL_ROOT, else ~/.cargo]
#   --logmr PATH   install this logmr binary instead of building one
#
# Exit codes: 0 installed, 1 a step failed, 2 bad arguments.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() {
    echo "install.sh: $2" >&2
    exit "$1"
}

root=${CARGO_INSTALL_ROOT:-$HOME/.cargo}
binary=
while [ $# -gt 0 ]; do
    case $1 in
        --root) [ $# -ge 2 ] || die 2 "--root needs a value"; root=$2; shift 2 ;;
        --logmr) [ $# -ge 2 ] || die 2 "--logmr needs a value"; binary=$2; shift 2 ;;
        -h | --help)
            echo "Usage: bash mr/install.sh [--root DIR] [--logmr PATH] [-h|--help]"
            echo
            sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -n '/^# Usage/!s/^# \{0,1\}//p'
            exit 0
            ;;
        *) die 2 "unknown argument $1 (see --help)" ;;
    esac
done

if [ -n "$binary" ]; then
    [ -x "$binary" ] || die 2 "--logmr $binary is not an executable file"
    mkdir -p "$root/bin"
    install -m 0755 "$binary" "$root/bin/logmr" || die 1 "cannot copy $binary to $root/bin"
else
    command -v cargo >/dev/null || die 1 "cargo is needed: install Rust from https://rustup.rs"
    cargo install --locked --path mr --root "$root" || die 1 "cargo install failed"
fi
logmr=$root/bin/logmr

data=${XDG_DATA_HOME:-$HOME/.local/share}
man_dir=$root/share/man/man1
"$logmr" generate man "$man_dir" || die 1 "cannot write the man pages into $man_dir"
for shell in bash zsh fish; do
    case $shell in
        bash) file=$data/bash-completion/completions/logmr ;;
        zsh) file=$data/zsh/site-functions/_logmr ;;
        fish) file=$data/fish/vendor_completions.d/logmr.fish ;;
    esac
    mkdir -p "$(dirname "$file")"
    "$logmr" generate "$shell" >"$file" || die 1 "cannot write $file"
done

echo "install.sh: logmr is $logmr; man pages in $man_dir; completions for bash, zsh and fish under $data" >&2
case ":$PATH:" in
    *":$root/bin:"*) ;;
    *) echo "install.sh: add $root/bin to PATH to run logmr (and for man to find its pages)" >&2 ;;
esac
