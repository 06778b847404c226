#!/usr/bin/env bash
# The whole pipeline on one machine, the main job on the embedded default:
# logmr-gen publishes machine logs to a Kafka topic, logmr-sink commits them
# to a store laid out like /user/kafka/logs, and the logcount job counts them
# the way Hadoop runs it. It prints the level table and checks it against the
# generator's summary. Its PowerShell twin is pipeline.ps1.
#
# Usage: pipeline.sh [OPTIONS]   (see usage below)
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$here/lib/common.sh" pipeline.sh

usage() {
    cat <<USAGE
Usage: $script_name [OPTIONS]

Runs the whole pipeline on one machine: logmr-gen -> a Kafka topic ->
logmr-sink -> a store laid out like /user/kafka/logs -> the logcount job
(one map task per file, sort, combine, reduce). Prints the level table and
checks it against what the generator says it produced.

The broker is --brokers, else a tansu broker started for the run (\$TANSU_BIN,
tansu on PATH, or ~/.cache/logmr/tansu/bin/tansu, where tests/run.sh installs
it). With neither, the generator writes the store directly and says so.

  --count N         lines to generate [default: 100000]
  --format NAME     layout of the lines, as logmr-gen --format [default: seed]
  --brokers LIST    Kafka brokers to use instead of starting tansu
  --topic NAME      topic [default: logs_machine]
  --partitions N    partitions when the topic is created [default: 3]
  --store DIR|URL   the sink's store: a local directory, or an HDFS URL such as
                    hdfs://namenode:8020/user/kafka/logs, which makes the
                    count a Hadoop job (logcount.sh)
                    [default: target/pipeline/user/kafka/logs]
  --output PATH     the count job's output directory
                    [default: target/pipeline/user/kafka/logs_out, or
                    /user/kafka/logs_out with an HDFS store]
  --force           replace an existing store and output
  -h, --help        this help

The check needs an empty topic and store to start from: a tansu broker
started here is, and the default store is cleared on each run.
The binaries are built with cargo unless \$LOGMR_BIN_DIR holds them.

Exit codes: 0 the counts match, 1 a stage failed or the counts differ,
2 bad arguments or setup.
USAGE
}

count=100000
format=seed
brokers=
topic=logs_machine
partitions=3
store=
output=
force=0

while [ $# -gt 0 ]; do
    case $1 in
        --count) need_value "$1" $#; count=$2; shift 2 ;;
        --format) need_value "$1" $#; format=$2; shift 2 ;;
        --brokers) need_value "$1" $#; brokers=$2; shift 2 ;;
        --topic) need_value "$1" $#; topic=$2; shift 2 ;;
        --partitions) need_value "$1" $#; partitions=$2; shift 2 ;;
        --store) need_value "$1" $#; store=$2; shift 2 ;;
        --output) need_value "$1" $#; output=$2; shift 2 ;;
        --force) force=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die 2 "unknown option $1 (see --help)" ;;
    esac
done

stage() { printf '\n==> %s\n' "$*" >&2; }

hdfs=0
case $store in hdfs://* | viewfs://*) hdfs=1 ;; esac
if [ -z "$store" ]; then
    # The default store is this script's own: cleared on every run.
    rm -rf "$repo_root/target/pipeline"
    store=$repo_root/target/pipeline/user/kafka/logs
    output=${output:-$repo_root/target/pipeline/user/kafka/logs_out}
elif [ "$hdfs" = 0 ] && [ -n "$(ls -A "$store" 2>/dev/null)" ]; then
    [ "$force" = 1 ] || die 2 "store $store is not empty; the check needs an empty one (pass --force to clear it)"
    rm -rf "$store"
fi
[ -n "$output" ] || output=$([ "$hdfs" = 1 ] && echo /user/kafka/logs_out || echo "$(dirname "$store")/logs_out")

bin=${LOGMR_BIN_DIR:-}
if [ -z "$bin" ]; then
    stage "building logmr, logmr-gen and logmr-sink (release)"
    cargo build --release --quiet --manifest-path "$repo_root/Cargo.toml" -p logmr -p logmr-ingest ||
        die 1 "cargo build failed"
    bin=$repo_root/target/release
fi
export LOGMR_BIN=$bin/logmr

work=$(mktemp -d)
broker_pid=
cleanup() {
    [ -z "$broker_pid" ] || kill "$broker_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

listening() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ -z "$brokers" ]; then
    tansu=${TANSU_BIN:-$(command -v tansu || echo "$HOME/.cache/logmr/tansu/bin/tansu")}
    if [ -x "$tansu" ]; then
        port=$((20000 + RANDOM % 40000))
        while listening "$port"; do port=$((20000 + RANDOM % 40000)); done
        url=tcp://127.0.0.1:$port
        stage "starting a tansu broker at 127.0.0.1:$port (in memory, stopped at exit)"
        "$tansu" broker --listener-url "$url" --advertised-listener-url "$url" \
            --storage-engine memory://tansu/ >"$work/tansu.log" 2>&1 &
        broker_pid=$!
        for _ in $(seq 300); do
            listening "$port" && break
            kill -0 "$broker_pid" 2>/dev/null || die 1 "tansu exited at start: $(tail -n 5 "$work/tansu.log")"
            sleep 0.1
        done
        listening "$port" || die 1 "tansu did not listen on $port within 30 s"
        brokers=127.0.0.1:$port
    else
        stage "no Kafka broker: pass --brokers, or install tansu (bash tests/run.sh does, into ~/.cache/logmr/tansu)"
        echo "    the generator writes the store directly; the Kafka and sink stages are skipped" >&2
    fi
fi

summary=$work/summary.tsv
if [ -n "$brokers" ]; then
    stage "1/3 logmr-gen: $count $format lines to topic $topic at $brokers"
    "$bin/logmr-gen" --count "$count" --format "$format" --brokers "$brokers" --topic "$topic" \
        --partitions "$partitions" --summary "$summary" || die 1 "the generator failed"

    stage "2/3 logmr-sink: topic $topic to $store, until the topic is idle for 3 s"
    "$bin/logmr-sink" --brokers "$brokers" --topic "$topic" --group "logmr-pipeline-$$" \
        --store "$store" --exit-when-idle 3 || die 1 "the sink failed"
else
    [ "$hdfs" = 0 ] || die 2 "an HDFS store is filled by the sink, which needs a broker (--brokers)"
    stage "1/3 logmr-gen: $count $format lines to $store/generated.log"
    mkdir -p "$store"
    "$bin/logmr-gen" --count "$count" --format "$format" --output "$store/generated.log" \
        --summary "$summary" || die 1 "the generator failed"
fi

result=$work/result.tsv
force_flag=()
[ "$force" = 0 ] || force_flag=(--force)
if [ "$hdfs" = 1 ]; then
    stage "3/3 logcount.sh: the Hadoop job over $store into $output"
    bash "$here/logcount.sh" --input "$store" --output "$output" "${force_flag[@]}" >"$result" ||
        die 1 "the count job failed"
else
    stage "3/3 logcount-local.sh: one map task per file in $store, into $output"
    bash "$here/logcount-local.sh" --output "$output" --force "$store" || die 1 "the count job failed"
    cp "$output/part-00000" "$result"
fi

total=$(awk -F'\t' '{ n += $2 } END { print n + 0 }' "$result")
echo "level counts of the $count generated lines, as stored and counted:"
LC_ALL=C sort "$result" | awk -F'\t' -v total="$total" \
    '{ printf "  %-10s %10d  %5.1f%%\n", $1, $2, total ? 100 * $2 / total : 0 }'
printf '  %-10s %10d\n' total "$total"
if LC_ALL=C sort "$result" | cmp -s - "$summary"; then
    echo "check: equal to the generator's summary, every line counted once"
else
    echo "check: FAILED, the counts differ from the generator's summary:" >&2
    LC_ALL=C sort "$result" | diff "$summary" - >&2 || true
    exit 1
fi
