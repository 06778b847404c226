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
# The job descriptors: a descriptor is one of these, never a path elsewhere.
jobs_dir=$repo_root/hadoop-jobs/jobs

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
    if [ ! -f "$file" ] || ! [ "$(dirname "$file")" -ef "$jobs_dir" ]; then
        local names=("$jobs_dir"/*.job)
        names=("${names[@]##*/}")
        die 2 "no job $(basename "$file" .job); the jobs are: ${names[*]%.job}"
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

# The portable build of logmr (mr/build-portable.sh): x86_64 Linux, glibc
# 2.17 and newer, so every node of a cluster can run it.
portable_logmr=$repo_root/target/x86_64-unknown-linux-gnu/release/logmr

# find_logmr [PATH]: the logmr binary to use: PATH when given, else
# $LOGMR_BIN, else this checkout's portable build, else its release build,
# else logmr on PATH.
find_logmr() {
    local path=${1:-${LOGMR_BIN:-}}
    if [ -z "$path" ]; then
        if [ -x "$portable_logmr" ]; then
            path=$portable_logmr
        elif [ -x "$repo_root/target/release/logmr" ]; then
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

# logmr_build PATH: which build of logmr PATH is, for the line that says
# what a job ships.
logmr_build() {
    if [ "$1" -ef "$portable_logmr" ]; then
        echo "the portable build: x86_64 Linux, glibc 2.17 or newer"
    else
        echo "not the portable build: nodes need the glibc it was built against; bash mr/build-portable.sh builds one for glibc 2.17"
    fi
}

# hdfs_path PATH: PATH as hadoop fs resolves it, without scheme and
# authority: relative to the user's home directory /user/NAME, with `.`,
# `..` and empty segments resolved.
hdfs_path() {
    local path=$1 part parts resolved=()
    if [[ $path =~ ^[A-Za-z][A-Za-z0-9+.-]*://[^/]*(.*)$ ]]; then
        path=${BASH_REMATCH[1]}
    fi
    [[ $path == /* ]] || path=/user/${HADOOP_USER_NAME:-$(id -un)}/$path
    IFS=/ read -ra parts <<<"$path"
    for part in "${parts[@]}"; do
        case $part in
            '' | .) ;;
            ..) [ ${#resolved[@]} -eq 0 ] || unset 'resolved[-1]' ;;
            *) resolved+=("$part") ;;
        esac
    done
    local IFS=/
    echo "/${resolved[*]}"
}

# glob_overlaps PATH PATTERN: whether the absolute HDFS path PATH equals,
# contains or lies inside a path that PATTERN (an absolute path whose
# segments may be hadoop fs globs: * ? [...] {a,b}) matches. A segment with
# {a,b} alternatives is taken to match: refusing too much is safe.
glob_overlaps() {
    local path pattern i
    IFS=/ read -ra path <<<"${1#/}"
    IFS=/ read -ra pattern <<<"${2#/}"
    for ((i = 0; i < ${#path[@]} && i < ${#pattern[@]}; i++)); do
        case ${pattern[i]} in
            *[{}]*) ;;
            *[][*?\\]*)
                # shellcheck disable=SC2053 # the pattern is meant to match
                [[ ${path[i]} == ${pattern[i]} ]] || return 1
                ;;
            *) [ "${path[i]}" = "${pattern[i]}" ] || return 1 ;;
        esac
    done
}

# refuse_overlap hdfs|local OUTPUT INPUT...: exits 2 unless OUTPUT is safe
# to replace: not the root, and neither equal to, inside, nor holding any
# INPUT, so that --force can never delete input. HDFS paths are compared as
# hadoop fs resolves them, globs included, and an HDFS output must be
# literal (hadoop fs -rm would expand a glob); local paths are compared
# with symbolic links resolved.
refuse_overlap() {
    local kind=$1 output=$2 out input in
    shift 2
    if [ "$kind" = hdfs ]; then
        case $output in
            *[][*?{}\\]*) die 2 "output $output holds glob characters, which hadoop fs would expand: give a literal path" ;;
        esac
        out=$(hdfs_path "$output")
    else
        out=$(realpath -m -- "$output")
    fi
    [ "$out" != / ] || die 2 "output $output is the root directory: give the job a directory of its own"
    for input in "$@"; do
        if [ "$kind" = hdfs ]; then
            glob_overlaps "$out" "$(hdfs_path "$input")" || continue
        else
            [ "$input" != - ] || continue
            in=$(realpath -m -- "$input")
            [[ $in == "$out" || $in == "$out"/* || $out == "$in"/* ]] || continue
        fi
        die 2 "output $output overlaps the input $input (the same path, or one inside the other); it would be replaced or counted: choose another output"
    done
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
