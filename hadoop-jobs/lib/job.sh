#!/usr/bin/env bash
# Runs a job on a Hadoop cluster with Hadoop Streaming, as described by a job
# descriptor (jobs/NAME.job), then prints its part-* results on stdout.
# Called by the job scripts (logcount.sh); its PowerShell twin is job.ps1.
#
# Usage: job.sh DESCRIPTOR SCRIPT-NAME [OPTIONS]   (see usage below)
set -euo pipefail
descriptor=$1
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh" "$2" "$descriptor"
shift 2

usage() {
    cat <<USAGE
Usage: $script_name [OPTIONS]

Runs the $(basename "$descriptor" .job) job on a Hadoop cluster with Hadoop Streaming,
then prints its result (the part-* files) on stdout.

  --input PATH     HDFS input: a file, directory or glob (repeatable)
                   [default: ${job[input]}]
  --output PATH    HDFS output directory [default: ${job[output]}]
  --reducers N     number of reduce tasks [default: 1]
  -D KEY=VALUE     a Hadoop setting (repeatable), e.g. -D mapreduce.job.queuename=etl;
                   given to the job and to the fs calls on its output. The
                   job's shape is four of them, which yours override:
                   mapreduce.job.inputformat.class [CombineTextInputFormat],
                   mapreduce.input.fileinputformat.split.maxsize [268435456],
                   mapreduce.job.ubertask.enable [true] and
                   stream.map.input.ignoreKey [true]; directories
                   are read recursively
                   (mapreduce.input.fileinputformat.input.dir.recursive)
  --force          replace the output directory if it exists (moved to the
                   HDFS trash when the cluster has one); an output that is
                   /, or equals, holds or lies inside an input, as Hadoop
                   resolves them (logmr paths --help), is refused
  --skip-trash     with --force, delete the old output at once instead
  --year YYYY      the year of timestamps that have none (syslog, logcat),
                   for time keys: logmr map --year [default: the current
                   year where each task runs]
  --logmr PATH     the logmr binary to ship with -files [default: \$LOGMR_BIN,
                   this checkout's portable build (bash mr/build-portable.sh:
                   x86_64 Linux, glibc 2.17 and newer), its
                   target/release/logmr, or logmr on PATH]
  -h, --help       this help

The streaming jar is \$HADOOP_STREAMING_JAR, else
\$HADOOP_HOME/share/hadoop/tools/lib/hadoop-streaming-*.jar. The hadoop
command is the one on PATH, else \$HADOOP_HOME/bin/hadoop.

Exit codes: 0 success, 1 the job failed, 2 bad arguments or setup.
USAGE
}

inputs=()
output=${job[output]}
reducers=1
defines=()
force=0
skip_trash=0
logmr=
year=

while [ $# -gt 0 ]; do
    case $1 in
        --input) need_value "$1" $#; inputs+=("$2"); shift 2 ;;
        --output) need_value "$1" $#; output=$2; shift 2 ;;
        --reducers) need_value "$1" $#; reducers=$2; shift 2 ;;
        -D) need_value "$1" $#; defines+=("$2"); shift 2 ;;
        --force) force=1; shift ;;
        --skip-trash) skip_trash=1; shift ;;
        --logmr) need_value "$1" $#; logmr=$2; shift 2 ;;
        --year) need_value "$1" $#; year=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) die 2 "unknown option $1 (see --help)" ;;
    esac
done
[ ${#inputs[@]} -gt 0 ] || inputs=("${job[input]}")
[[ $reducers =~ ^[1-9][0-9]*$ ]] || die 2 "--reducers must be a positive number, not '$reducers'"

logmr=$(find_logmr "$logmr")
with_year "$year" "$logmr"
# Generic options for every hadoop call: the job, and the fs calls that test,
# delete and read its output, so that all of them go to one cluster.
generic=()
for define in "${defines[@]}"; do
    generic+=(-D "$define")
done
# The paths as Hadoop resolves them (comma lists, schemes, the home
# directory, -D inputs and fs.defaultFS), and the output refused when it
# could be an input: logmr paths holds the rules, tested against Hadoop's.
"$logmr" paths --home "/user/${HADOOP_USER_NAME:-$(id -un)}" --output "$output" \
    "${generic[@]}" -- "${inputs[@]}" >/dev/null || die 2 "refused before anything was deleted or submitted"
# Each task command, run here on no input with the job's settings as a task
# gets them: a setting a task would refuse (a map separator that could cut
# its keys) stops the job before it is submitted, with the task's reason.
task_env=()
for define in "${defines[@]}"; do
    task_env+=("$(streaming_env "$define")")
done
command_words=()
for role in mapper combiner reducer; do
    [ -n "${job[$role]:-}" ] || continue
    task_words command_words "${job[$role]}" "$logmr"
    env "${task_env[@]}" "${command_words[@]}" </dev/null >/dev/null ||
        die 2 "the $role ($(basename "$logmr")${job[$role]#logmr}) refuses the job's settings; nothing was submitted"
done
echo "$script_name: shipping $logmr ($(logmr_build "$logmr"))" >&2
program=$(basename "$logmr")

jar=${HADOOP_STREAMING_JAR:-}
if [ -z "$jar" ]; then
    [ -n "${HADOOP_HOME:-}" ] || die 2 "no streaming jar: set HADOOP_STREAMING_JAR to hadoop-streaming-*.jar, or HADOOP_HOME"
    jars=("$HADOOP_HOME"/share/hadoop/tools/lib/hadoop-streaming-*.jar)
    [ -f "${jars[0]}" ] || die 2 "no streaming jar: $HADOOP_HOME/share/hadoop/tools/lib/hadoop-streaming-*.jar matches nothing; set HADOOP_STREAMING_JAR"
    jar=${jars[-1]}
fi
[ -f "$jar" ] || die 2 "streaming jar $jar does not exist"

hadoop=$(command -v hadoop || true)
[ -n "$hadoop" ] || [ -z "${HADOOP_HOME:-}" ] || hadoop=$HADOOP_HOME/bin/hadoop
if [ -z "$hadoop" ] || [ ! -x "$hadoop" ]; then
    die 2 "no hadoop command on PATH or in \$HADOOP_HOME/bin"
fi

if "$hadoop" fs "${generic[@]}" -test -e "$output"; then
    [ "$force" = 1 ] || die 2 "output $output already exists; pass --force to replace it"
    remove=(fs "${generic[@]}" -rm -r)
    [ "$skip_trash" = 0 ] || remove+=(-skipTrash)
    echo "$script_name: replacing the existing output $output:$(printf ' %q' "$hadoop" "${remove[@]}" "$output")" >&2
    "$hadoop" "${remove[@]}" "$output" >&2 || die 1 "could not delete $output"
fi

# The job's shape, for a mapper that reads hundreds of MB/s where Hadoop
# Streaming's own per-task cost is about a second of CPU: few large map
# tasks (CombineTextInputFormat packs files and blocks into splits of up to
# 256 MiB, so a store of many small files is not one task per file), and an
# input small enough for one task run inside the application master (uber
# mode; Hadoop decides by size). Streaming hands the mapper only the line
# for TextInputFormat, and "OFFSET<TAB>LINE" for any other input format
# unless stream.map.input.ignoreKey is true. CombineTextInputFormat passes a
# subdirectory of an input over without a word (TextInputFormat fails on
# it), so directories are read to the bottom, as logmr run and job-local.sh
# read them: a dt=YYYY-MM-DD store is counted whole. BENCHMARKS.md, "On YARN and Spark", has
# the measurements. A -D of the user's comes later and wins. The input format is
# -D mapreduce.job.inputformat.class (or mapred.input.format.class), given
# to Streaming as -inputformat: Streaming sets the class itself, and refuses
# the first key beside its own.
input_format=org.apache.hadoop.mapred.lib.CombineTextInputFormat
job_options=(-D mapreduce.input.fileinputformat.split.maxsize=268435456 -D mapreduce.job.ubertask.enable=true
    -D stream.map.input.ignoreKey=true -D mapreduce.input.fileinputformat.input.dir.recursive=true)
for define in "${defines[@]}"; do
    case $define in
        mapreduce.job.inputformat.class=* | mapred.input.format.class=*) input_format=${define#*=} ;;
        *) job_options+=(-D "$define") ;;
    esac
done

# Generic options (-D, -files) come before the streaming options: Hadoop
# rejects them after.
args=(jar "$jar" "${job_options[@]}")
args+=(-D "mapreduce.job.name=logmr $(basename "$descriptor" .job)")
args+=(-files "$logmr")
args+=(-inputformat "$input_format")
for input in "${inputs[@]}"; do
    args+=(-input "$input")
done
args+=(-output "$output")
args+=(-mapper "$(task_command "${job[mapper]}" "$program")")
[ -z "${job[combiner]:-}" ] || args+=(-combiner "$(task_command "${job[combiner]}" "$program")")
args+=(-reducer "$(task_command "${job[reducer]}" "$program")")
args+=(-numReduceTasks "$reducers")

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "$script_name: running $hadoop$(printf ' %q' "${args[@]}")" >&2
# Everything hadoop prints goes to stderr: StreamJob writes progress such as
# `packageJobJar: ...` to stdout, which carries only the result here.
status=0
"$hadoop" "${args[@]}" 2>&1 | tee "$log" >&2 || status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
    case $status in
        1)
            # StreamJob exits 1 both for a job that ran and failed and for
            # arguments it rejects before any job exists; its log tells.
            if grep -Eq 'Job not successful|completed with state (FAILED|KILLED)|failed with state (FAILED|KILLED)' "$log"; then
                reason="the job ran and failed: a task failed more often than allowed"
            else
                reason="hadoop exited with code 1 before any job ran; see its messages above"
            fi
            ;;
        2) reason="bad input path" ;;
        3) reason="invalid job configuration" ;;
        4) reason="the output directory already exists" ;;
        5) reason="the job could not be launched" ;;
        *) reason="hadoop exited with code $status" ;;
    esac
    application=$(grep -o 'application_[0-9]*_[0-9]*' "$log" | head -n 1 || true)
    if [ -n "$application" ]; then
        reason="$reason; the task logs: yarn logs -applicationId $application"
    fi
    die 1 "the Hadoop job failed ($reason)"
fi

"$hadoop" fs "${generic[@]}" -cat "$output/part-*" >"$log" || die 1 "the job succeeded but its output $output/part-* could not be read"
after_step "$logmr" "${task_env[@]}" <"$log"
