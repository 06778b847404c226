# Shared by the job scripts: messages, job descriptors, finding logmr.
# Sourced, not run, as `. common.sh SCRIPT-NAME [DESCRIPTOR]`: messages start
# with SCRIPT-NAME, and the descriptor's settings fill `job`. Its PowerShell
# twin is common.ps1.
# shellcheck shell=bash

script_name=$1
# The descriptor's settings, filled by read_descriptor.
declare -A job=()
# The repository root, for this checkout's release build.
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# die CODE MESSAGE...: print "SCRIPT: MESSAGE" on stderr and exit with CODE.
die() {
    local code=$1
    shift
    echo "$script_name: $*" >&2
    exit "$code"
}

# need_value OPTION ARGC: an option's value must follow it.
need_value() {
    [ "$2" -ge 2 ] || die 2 "$1 needs a value (see --help)"
}

# read_descriptor FILE: fills `job` from the descriptor's KEY=VALUE lines.
read_descriptor() {
    local file=$1 line key
    if [ ! -f "$file" ]; then
        local names=("$(dirname "$file")"/*.job)
        names=("${names[@]##*/}")
        die 2 "no job descriptor $file; the jobs are: ${names[*]%.job}"
    fi
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%$'\r'}
        case $line in '' | '#'*) continue ;; esac
        [[ $line == *=* ]] || die 2 "$file: not KEY=VALUE: $line"
        key=${line%%=*}
        job[$key]=${line#*=}
    done <"$file"
    for key in mapper reducer input output; do
        [ -n "${job[$key]:-}" ] || die 2 "$file: no $key="
    done
}

# find_logmr [PATH]: the logmr binary to use: PATH when given, else
# $LOGMR_BIN, else this checkout's release build, else logmr on PATH.
find_logmr() {
    local path=${1:-${LOGMR_BIN:-}}
    if [ -z "$path" ]; then
        if [ -x "$repo_root/target/release/logmr" ]; then
            path=$repo_root/target/release/logmr
        else
            path=$(command -v logmr) || die 2 "no logmr binary: build it with 'cargo build --release -p logmr', or pass --logmr PATH"
        fi
    fi
    if [ ! -f "$path" ] || [ ! -x "$path" ]; then
        die 2 "logmr binary $path is not an executable file"
    fi
    echo "$path"
}

# task_command COMMAND PROGRAM: COMMAND with its leading `logmr` replaced by
# PROGRAM.
task_command() {
    local command=$1 program=$2
    case $command in
        logmr) echo "$program" ;;
        'logmr '*) echo "$program ${command#logmr }" ;;
        *) echo "$command" ;;
    esac
}

[ -z "${2:-}" ] || read_descriptor "$2"
