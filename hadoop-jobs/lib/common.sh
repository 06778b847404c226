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

# jobs_usage: the usage of a script that runs any job (job.sh NAME ...),
# with each job and the first line of its descriptor.
jobs_usage() {
    local script=${script_name%% *} file
    echo "Usage: $script NAME [OPTIONS]"
    echo
    echo "Runs the job NAME, described by hadoop-jobs/jobs/NAME.job. '$script NAME --help'"
    echo "lists its options. The jobs:"
    echo
    for file in "$jobs_dir"/*.job; do
        printf '  %-18s %s\n' "$(basename "$file" .job)" "$(sed -n '1s/^# *//p' "$file")"
    done
    echo
    echo "Exit codes: 0 success, 1 the job failed, 2 bad arguments or setup."
}

# read_descriptor FILE: fills `job` from the descriptor's KEY=VALUE lines.
# A NAME of -h or --help prints the list of jobs and exits 0.
read_descriptor() {
    local file=$1 line key
    case $(basename "$file" .job) in
        -h | --help) jobs_usage; exit 0 ;;
    esac
    if [ ! -f "$file" ] || ! [ "$(dirname "$file")" -ef "$jobs_dir" ]; then
        local names=("$jobs_dir"/*.job)
        names=("${names[@]##*/}")
        local name
        name=$(basename "$file" .job)
        [ "$name" != .job ] || name=''
        die 2 "${name:+no job $name; }the jobs are: ${names[*]%.job} (see --help)"
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

# with_year YEAR LOGMR: the mapper gets --year YEAR when YEAR is given,
# after LOGMR's map has taken it (it refuses a year of other than four
# digits, with its reason).
with_year() {
    [ -n "$1" ] || return 0
    "$2" map --year "$1" </dev/null >/dev/null || die 2 "--year $1 is refused by logmr map (above)"
    job[mapper]="${job[mapper]} --year $1"
}

# The portable build of logmr (mr/build-portable.sh): x86_64 Linux, glibc
# 2.17 and newer, so every node of a cluster can run it.
portable_logmr=$repo_root/target/x86_64-unknown-linux-gnu/release/logmr

# older_than_sources PATH: whether this checkout's logmr sources (mr/,
# Cargo.lock) changed after the binary PATH was built.
older_than_sources() {
    [ -n "$(find "$repo_root/mr/src" "$repo_root/mr/Cargo.toml" "$repo_root/Cargo.lock" \
        -newer "$1" -print -quit 2>/dev/null)" ]
}

# find_logmr [PATH]: the logmr binary to use: PATH when given, else
# $LOGMR_BIN, else this checkout's portable build (refused when the sources
# changed after it was built: it would ship old code), else its release
# build, else logmr on PATH.
find_logmr() {
    local path=${1:-${LOGMR_BIN:-}}
    if [ -z "$path" ]; then
        if [ -x "$portable_logmr" ] && older_than_sources "$portable_logmr"; then
            die 2 "the portable build $portable_logmr is older than the sources in mr/: rebuild it (bash mr/build-portable.sh), or pass --logmr PATH"
        elif [ -x "$portable_logmr" ]; then
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

# file_id PATH: the device and inode of what PATH names (links followed).
file_id() { stat -L -c '%d:%i' -- "$1" 2>/dev/null || stat -L -f '%d:%i' -- "$1"; }

# refuse_local_overlap OUTPUT IDS INPUT...: exits 2 unless the local
# directory OUTPUT is safe to replace: not the root; neither equal to,
# inside, nor holding any INPUT (paths compared with links resolved); and
# holding nothing that an input reads, by device and inode, as IDS (the
# name of an associative array of DEV:INODE keys) lists them: a bind mount
# or a hard link of an input, or the file standard input reads, is as much
# the input as its own name. (Cluster jobs: logmr paths.)
refuse_local_overlap() {
    local output=$1 ids=$2 out input in entry id
    shift 2
    local -n protected=$ids
    out=$(realpath -m -- "$output")
    [ "$out" != / ] || die 2 "output $output is the root directory: give the job a directory of its own"
    for input in "$@"; do
        [ "$input" != - ] || continue
        in=$(realpath -m -- "$input")
        [[ $in == "$out" || $in == "$out"/* || $out == "$in"/* ]] || continue
        die 2 "output $output overlaps the input $input (the same path, or one inside the other); it would be replaced or counted: choose another output"
    done
    [ -e "$output" ] || return 0
    while IFS= read -r -d '' entry; do
        id=$(file_id "$entry") || continue
        [ -n "${protected[$id]+set}" ] || continue
        die 2 "output $output holds $entry, which is the input ${protected[$id]} (the same file or directory under another name: a bind mount, a hard link, or standard input); it would be replaced: choose another output"
    done < <(find "$output" -print0)
}

# task_words NAME COMMAND PROGRAM: fills the array NAME with COMMAND's
# words, its leading `logmr` the one word PROGRAM however many spaces that
# path holds; the descriptor's own words hold none.
task_words() {
    local -n words=$1
    local command=$2 program=$3
    case $command in
        logmr) words=("$program") ;;
        'logmr '*) read -ra words <<<"${command#logmr }"; words=("$program" "${words[@]}") ;;
        *) read -ra words <<<"$command" ;;
    esac
}

# after_step PROGRAM [NAME=VALUE...]: the descriptor's after= command, a
# step run here over the job's result on stdin (logmr templates learns from
# the job's table), with the task environment given; cat when it has none.
# Its failure ends the script with exit 1.
after_step() {
    local program=$1 after_words
    shift
    if [ -z "${job[after]:-}" ]; then
        cat
        return
    fi
    task_words after_words "${job[after]}" "$program"
    env "$@" "${after_words[@]}" || die 1 "the step after the job (${job[after]}) failed"
}

# streaming_env KEY=VALUE: the NAME=VALUE (for env(1)) that Hadoop
# Streaming makes of a job setting in a task's environment: KEY with every
# byte but letters and digits turned into `_`, VALUE literal.
streaming_env() {
    local key=${1%%=*}
    echo "${key//[^A-Za-z0-9]/_}=${1#*=}"
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
