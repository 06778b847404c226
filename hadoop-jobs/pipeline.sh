#!/usr/bin/env bash
# The whole pipeline on one machine, the main job on the embedded default:
# logmr-gen publishes machine logs to a Kafka topic, logmr-sink commits them
# to a store laid out like /user/kafka/logs, and the logcount job counts them
# the way Hadoop runs it; with --cluster, on real Kafka, HDFS and YARN started
# here; with --cluster --secure, over SASL_SSL into HDFS with Kerberos. It prints the level table and checks it against the generator's
# summary. Its PowerShell twin is pipeline.ps1.
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
logmr-sink -> a store laid out like /user/kafka/logs -> the logcount job.
Prints the level table and checks it against what the generator says it
produced.

By default the store is a local directory and the job runs the way Hadoop
runs it, on this machine (logcount-local.sh: one map task per file, sort,
combine, reduce). With --cluster, Apache Kafka, HDFS and YARN are started
here (tests/services/services.sh: Java 17 and Maven, jars from Maven
Central on first use), the sink stores into HDFS and the job runs with
Hadoop Streaming on YARN (logcount.sh). The broker is --brokers, else an
Apache Kafka broker started for the run.

With --cluster --secure, the services are secure (services.sh --secure): a
KDC, HDFS with Kerberos and Kafka's SASL_SSL listener. The user's keytab is
kinit'ed into a private ticket cache, logmr-gen and logmr-sink read the
listener's properties from LOGMR_KAFKA_CONFIG (never from the command line),
and the Spark logcount job (spark-job.sh) counts the store: a Kerberized
Hadoop Streaming job needs Hadoop's native library, which these services
lack. For a secure cluster of your own, kinit and export
LOGMR_KAFKA_CONFIG=FILE instead.

  --count N         lines to generate [default: 100000]
  --format NAME     layout of the lines, as logmr-gen --format [default: seed]
  --brokers LIST    Kafka brokers to use instead of starting one
  --topic NAME      topic [default: logs_machine]
  --partitions N    partitions when the topic is created [default: 3]
  --store DIR|URL   the sink's store: a local directory, or an HDFS URL such as
                    hdfs://namenode:8020/user/kafka/logs, which makes the
                    count a Hadoop job (logcount.sh)
                    [default: target/pipeline/user/kafka/logs]
  --output PATH     the count job's output directory
                    [default: target/pipeline/user/kafka/logs_out, or
                    /user/kafka/logs_out with an HDFS store]
  --cluster         start Kafka, HDFS and YARN here and run on them
  --secure          with --cluster: Kerberos and SASL_SSL (see above)
  --force           replace an existing output directory (never the store)
  -h, --help        this help

The check needs an empty topic and store to start from: a broker or cluster
started here is, and the default store is cleared on each run. A store of
your own (--store) must be empty or missing: pipeline.sh never deletes one.
The binaries are built with cargo unless \$LOGMR_BIN_DIR holds them; a
Hadoop job ships the portable logmr when it has been built
(bash mr/build-portable.sh), as job.sh does.

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
cluster=0
secure=0
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
        --cluster) cluster=1; shift ;;
        --secure) secure=1; shift ;;
        --force) force=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die 2 "unknown option $1 (see --help)" ;;
    esac
done

stage() { printf '\n==> %s\n' "$*" >&2; }

if [ "$secure" = 1 ] && [ "$cluster" = 0 ]; then
    die 2 "--secure starts secure services: add --cluster (for a secure cluster of your own, kinit and export LOGMR_KAFKA_CONFIG=FILE)"
fi

services=$repo_root/tests/services/services.sh
work=$(mktemp -d)
services_dir=
cleanup() {
    if [ -n "$services_dir" ]; then
        stage "stopping the services started here"
        bash "$services" stop "$services_dir" >&2 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

if [ "$cluster" = 1 ]; then
    if [ -n "$brokers" ] || [ -n "$store" ]; then
        die 2 "--cluster starts its own broker and HDFS: drop --brokers and --store"
    fi
    services_dir=$work/services
    if [ "$secure" = 1 ]; then
        stage "starting a KDC, HDFS with Kerberos and Apache Kafka with SASL_SSL on this machine (stopped at exit)"
        bash "$services" start "$services_dir" --secure ||
            die 1 "the services did not start; their log is $services_dir/services.log"
    else
        stage "starting Apache Kafka, HDFS and YARN on this machine (stopped at exit)"
        bash "$services" start "$services_dir" ||
            die 1 "the services did not start; their log is $services_dir/services.log"
    fi
    # shellcheck source=/dev/null
    . "$services_dir/env"
    export HADOOP_CONF_DIR
    export PATH=$repo_root/tests/services/bin:$PATH
    HADOOP_STREAMING_JAR=$(bash "$services" classpath | tr ':' '\n' | grep '/hadoop-streaming-[^/]*\.jar$' | head -n 1)
    export HADOOP_STREAMING_JAR
    brokers=$LOGMR_KAFKA_BROKERS
    store=$LOGMR_HDFS/user/kafka/logs
    if [ "$secure" = 1 ]; then
        export KRB5_CONFIG KRB5CCNAME=FILE:$work/krb5cc
        kinit -kt "$LOGMR_KEYTAB" "$LOGMR_PRINCIPAL" || die 1 "kinit $LOGMR_PRINCIPAL failed (Debian: apt-get install krb5-user)"
        export LOGMR_KAFKA_CONFIG=$LOGMR_KAFKA_SECURE_CONFIG
        brokers=$LOGMR_KAFKA_SECURE_BROKERS
        store=$LOGMR_HDFS$LOGMR_SECURE_HOME/logs
        echo "    Kafka SASL_SSL $brokers, HDFS with Kerberos $LOGMR_HDFS as $LOGMR_PRINCIPAL" >&2
    else
        echo "    Kafka $brokers, HDFS $LOGMR_HDFS, YARN configured in $HADOOP_CONF_DIR" >&2
    fi
fi

hdfs=0
case $store in hdfs://* | viewfs://*) hdfs=1 ;; esac
if [ -z "$store" ]; then
    # The default store is this script's own: cleared on every run.
    rm -rf "$repo_root/target/pipeline"
    store=$repo_root/target/pipeline/user/kafka/logs
    output=${output:-$repo_root/target/pipeline/user/kafka/logs_out}
elif [ "$hdfs" = 0 ] && [ -n "$(ls -A "$store" 2>/dev/null)" ]; then
    die 2 "store $store is not empty; the check needs an empty one: give a new --store (pipeline.sh never deletes a store)"
fi
[ -n "$output" ] || output=$([ "$hdfs" = 1 ] && echo /user/kafka/logs_out || echo "$(dirname "$store")/logs_out")

bin=${LOGMR_BIN_DIR:-}
if [ -z "$bin" ]; then
    stage "building logmr, logmr-gen and logmr-sink (release)"
    cargo build --release --quiet --manifest-path "$repo_root/Cargo.toml" -p logmr -p logmr-ingest ||
        die 1 "cargo build failed"
    bin=$repo_root/target/release
    # A Hadoop job ships the logmr that job.sh picks: the portable build
    # when there is one (bash mr/build-portable.sh), which older nodes run.
    [ "$hdfs" = 1 ] || export LOGMR_BIN=$bin/logmr
else
    export LOGMR_BIN=$bin/logmr
fi

if [ -z "$brokers" ]; then
    stage "starting an Apache Kafka broker on this machine (KRaft, stopped at exit)"
    services_dir=$work/kafka
    bash "$services" start "$services_dir" --no-hdfs --no-yarn ||
        die 1 "Kafka did not start (it needs Java 17 and Maven); its log is $services_dir/services.log; or pass --brokers"
    # shellcheck source=/dev/null
    brokers=$(. "$services_dir/env" && echo "$LOGMR_KAFKA_BROKERS")
    echo "    Kafka $brokers" >&2
fi

summary=$work/summary.tsv
stage "1/3 logmr-gen: $count $format lines to topic $topic at $brokers"
"$bin/logmr-gen" --count "$count" --format "$format" --brokers "$brokers" --topic "$topic" \
    --partitions "$partitions" --summary "$summary" || die 1 "the generator failed"

stage "2/3 logmr-sink: topic $topic to $store, until the topic is idle for 3 s"
"$bin/logmr-sink" --brokers "$brokers" --topic "$topic" --group "logmr-pipeline-$$" \
    --store "$store" --exit-when-idle 3 || die 1 "the sink failed"

result=$work/result.tsv
force_flag=()
[ "$force" = 0 ] || force_flag=(--force)
if [ "$secure" = 1 ]; then
    stage "3/3 spark-job.sh logcount: the Spark job over $store"
    bash "$here/spark-job.sh" logcount --input "$store" >"$result" || die 1 "the count job failed"
elif [ "$hdfs" = 1 ]; then
    stage "3/3 logcount.sh: the Hadoop job over $store into $output"
    bash "$here/logcount.sh" --input "$store" --output "$output" "${force_flag[@]}" >"$result" ||
        die 1 "the count job failed"
else
    stage "3/3 logcount-local.sh: one map task per file in $store, into $output"
    bash "$here/logcount-local.sh" --output "$output" "${force_flag[@]}" "$store" || die 1 "the count job failed"
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
