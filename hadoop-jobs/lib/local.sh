#!/usr/bin/env bash
# Runs a job on this machine the way Hadoop Streaming runs it, as described
# by a job descriptor (jobs/NAME.job): one map task per input file, its output
# sorted by key and combined, then one sort by key and the reducer. Called by
# the local job scripts (logcount-local.sh); its PowerShell twin is local.ps1.
#
# Usage: local.sh DESCRIPTOR SCRIPT-NAME [OPTIONS] [INPUT...]   (see usage below)
set -euo pipefail

descriptor=$1
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh" "$2" "$descriptor"
shift 2

usage() {
    cat <<USAGE
Usage: $script_name [OPTIONS] [INPUT...]

Runs the $(basename "$descriptor" .job) job on this machine as Hadoop runs it: one map task
per input file, its output sorted by key and combined, then a sort by key
(byte order) and the reducer. The result goes to stdout.

INPUT is a file or a directory, whose files are read recursively except
names starting with _ or . (Hadoop skips those too). .gz files are
decompressed. Without INPUT, standard input is the one map task's input.

  --output DIR     write the result to DIR/part-00000 instead of stdout;
                   DIR must not exist unless --force
  -D KEY=VALUE     a Hadoop setting (a dotted name such as
                   stream.map.output.field.separator), passed to the tasks
                   only, as Hadoop passes it: an environment variable named
                   KEY with every byte but letters and digits turned into _
                   (repeatable), e.g. -D stream.map.output.field.separator=:
  --force          replace the output directory if it exists; an output that
                   is /, or equals, holds or lies inside an input is refused
  --year YYYY      the year of timestamps that have none (syslog, logcat),
                   for time keys: logmr map --year [default: the current
                   year where each task runs]
  --logmr PATH     the logmr binary [default: \$LOGMR_BIN, this checkout's
                   portable build, its target/release/logmr, or logmr on
                   PATH]
  -h, --help       this help

Exit codes: 0 success, 1 a task failed, 2 bad arguments or setup.
USAGE
}

inputs=()
output=
defines=()
force=0
logmr=
year=

while [ $# -gt 0 ]; do
    case $1 in
        --output) need_value "$1" $#; output=$2; shift 2 ;;
        -D) need_value "$1" $#; defines+=("$2"); shift 2 ;;
        --force) force=1; shift ;;
        --logmr) need_value "$1" $#; logmr=$2; shift 2 ;;
        --year) need_value "$1" $#; year=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        --) shift; inputs+=("$@"); break ;;
        -?*) die 2 "unknown option $1 (see --help)" ;;
        *) inputs+=("$1"); shift ;;
    esac
done

logmr=$(find_logmr "$logmr")
with_year "$year" "$logmr"
separator=$'\t'
# The settings, as NAME=VALUE for env(1): in the tasks' environment only,
# never this script's (a -D PATH=... must not choose its sort).
task_env=()
generic=()
for define in "${defines[@]}"; do
    generic+=(-D "$define")
done
# The settings Hadoop would take (logmr paths holds the rule: KEY=VALUE,
# and no variable the system reads, such as LD.PRELOAD -> LD_PRELOAD).
"$logmr" paths "${generic[@]}" >/dev/null || die 2 "refused before anything ran"
for define in "${defines[@]}"; do
    key=${define%%=*}
    [[ $key =~ ^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$ ]] ||
        die 2 "-D takes a Hadoop setting, a dotted name such as stream.map.output.field.separator, not '$key'"
    task_env+=("$(streaming_env "$define")")
    [ "$key" != stream.map.output.field.separator ] || separator=${define#*=}
done

# The files read, as logmr run reads them: a named path followed, a
# directory's regular files (links and FIFOs inside it passed over), and
# each file once, however many paths reach it (device and inode).
listed=()
for input in "${inputs[@]}"; do
    if [ -d "$input" ]; then
        while IFS= read -r -d '' file; do
            listed+=("$file")
        done < <(find -H "$input" -mindepth 1 -name '[_.]*' -prune -o -type f -print0 | LC_ALL=C sort -z)
    elif [ -e "$input" ] && [ ! -d "$input" ] || [ "$input" = - ]; then
        listed+=("$input")
    else
        die 2 "input $input is not a file or a directory"
    fi
done
[ ${#inputs[@]} -gt 0 ] || listed=(-)
files=()
declare -A first_path=()
for file in "${listed[@]}"; do
    [ "$file" != - ] || { files+=(-); continue; }
    # A file that cannot be looked at is kept by its name: its map task
    # then says why it cannot be read.
    id=$(file_id "$file" 2>/dev/null) || id="name:$file"
    if [ -n "${first_path[$id]+set}" ]; then
        echo "$script_name: warning: $file is the same file as ${first_path[$id]}; it is read once" >&2
    else
        first_path[$id]=$file
        files+=("$file")
    fi
done
[ ${#files[@]} -gt 0 ] || echo "$script_name: warning: the inputs hold no files to read; the result is empty" >&2

# shellcheck disable=SC2034 # reads is read by refuse_local_overlap, by name
if [ -n "$output" ]; then
    # What the job reads, by device and inode: each input as named (a
    # directory too), each file listed, and what standard input reads.
    declare -A reads=()
    for input in "${inputs[@]}"; do
        [ "$input" = - ] || ! id=$(file_id "$input" 2>/dev/null) || reads[$id]=$input
    done
    for id in "${!first_path[@]}"; do
        reads[$id]=${first_path[$id]}
    done
    for file in "${files[@]}"; do
        if [ "$file" = - ] && id=$(file_id /dev/stdin 2>/dev/null); then
            reads[$id]="standard input"
        fi
    done
    refuse_local_overlap "$output" reads "${inputs[@]}"
fi
if [ -n "$output" ] && [ -e "$output" ]; then
    [ "$force" = 1 ] || die 2 "output $output already exists; pass --force to replace it"
    rm -r "$output"
fi

task_words mapper "${job[mapper]}" "$logmr"
task_words combiner "${job[combiner]:-cat}" "$logmr"
task_words reducer "${job[reducer]}" "$logmr"
mapper=(env "${task_env[@]}" "${mapper[@]}")
combiner=(env "${task_env[@]}" "${combiner[@]}")
reducer=(env "${task_env[@]}" "${reducer[@]}")
# The map output as the reduce side reads it: Hadoop splits each line at
# the first map output separator into key and value, and hands the combiner
# and reducer KEY<TAB>VALUE.
rekey() {
    if [ "$separator" = $'\t' ]; then
        cat
    else
        SEPARATOR=$separator LC_ALL=C awk '{
            i = index($0, ENVIRON["SEPARATOR"])
            if (i) print substr($0, 1, i - 1) "\t" substr($0, i + length(ENVIRON["SEPARATOR"])); else print
        }'
    fi
}
sort_by_key() { LC_ALL=C sort -t $'\t' -k1,1; }

tasks=$(mktemp -d)
trap 'rm -rf "$tasks"' EXIT
task=0
for file in "${files[@]}"; do
    out=$tasks/map-$(printf '%06d' "$task")
    case $file in
        -) "${mapper[@]}" | rekey | sort_by_key | "${combiner[@]}" >"$out" ;;
        *.gz) gzip -dc -- "$file" | "${mapper[@]}" | rekey | sort_by_key | "${combiner[@]}" >"$out" ;;
        *) "${mapper[@]}" <"$file" | rekey | sort_by_key | "${combiner[@]}" >"$out" ;;
    esac || die 1 "the map task for $file failed"
    task=$((task + 1))
done

result=$tasks/result
{ [ "$task" -eq 0 ] || cat "$tasks"/map-*; } | sort_by_key | "${reducer[@]}" >"$result" || die 1 "the reduce task failed"
if [ -n "$output" ]; then
    mkdir -p "$output"
    mv "$result" "$output/part-00000"
    touch "$output/_SUCCESS"
    echo "$script_name: map tasks: $task; the result is in $output/part-00000" >&2
else
    after_step "$logmr" "${task_env[@]}" <"$result"
fi
