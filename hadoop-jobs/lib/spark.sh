#!/usr/bin/env bash
# Runs a job on Spark, as described by a job descriptor (jobs/NAME.job):
# spark-submit with spark/job.py, which pipes each input partition through
# the descriptor's `logmr map ...` (the same binary the Streaming job ships)
# and sums per key. Called by spark-job.sh; its PowerShell twin is spark.ps1.
#
# Usage: spark.sh DESCRIPTOR SCRIPT-NAME [OPTIONS]   (see usage below)
set -euo pipefail
descriptor=$1
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh" "$2" "$descriptor"
shift 2

usage() {
    cat <<USAGE
Usage: $script_name [OPTIONS]

Runs the $(basename "$descriptor" .job) job on Spark with the logmr binary the Hadoop job
ships: each input partition piped through \`${job[mapper]}\`, the counts
summed per key, the result (KEY<TAB>COUNT lines, sorted by key bytes, equal
to the Hadoop job's and to logmr run's) printed on stdout.

  --input PATH       a file, directory (read recursively), glob or comma
                     list, local or hdfs:// (repeatable); .gz and .bz2 are
                     read as Hadoop reads them
                     [default: ${job[input]}]
  --output DIR       also write the result to DIR (part-00000); DIR must not
                     exist
  --partitions N     at least N input partitions [default: one per block]
  --master URL       where Spark runs: local[*], yarn, spark://HOST:PORT
                     [default: \$SPARK_MASTER, else local[*]]
  --conf KEY=VALUE   a Spark setting for spark-submit (repeatable), e.g.
                     --conf spark.executor.memory=2g
  --year YYYY        the year of timestamps that have none (syslog, logcat),
                     for time keys: logmr map --year [default: the current
                     year where each task runs]
  --logmr PATH       the logmr binary, shipped to the executors [default:
                     \$LOGMR_BIN, this checkout's portable build, its
                     target/release/logmr, or logmr on PATH]
  -h, --help         this help

spark-submit is \$SPARK_HOME/bin/spark-submit, else the one on PATH, else
this checkout's PySpark in target/spark-venv (bash
hadoop-jobs/spark/install.sh; tests/run.sh runs it). On YARN (--master yarn) HADOOP_CONF_DIR names the
cluster, as for spark-submit itself.

Exit codes: 0 success, 1 the job failed, 2 bad arguments or setup.
USAGE
}

master=${SPARK_MASTER:-local[*]}
confs=()
job_args=()
inputs=0
logmr=
year=

while [ $# -gt 0 ]; do
    case $1 in
        --input) need_value "$1" $#; job_args+=(--input "$2"); inputs=$((inputs + 1)); shift 2 ;;
        --output) need_value "$1" $#; job_args+=(--output "$2"); shift 2 ;;
        --partitions) need_value "$1" $#; job_args+=(--partitions "$2"); shift 2 ;;
        --master) need_value "$1" $#; master=$2; shift 2 ;;
        --conf) need_value "$1" $#; confs+=(--conf "$2"); shift 2 ;;
        --logmr) need_value "$1" $#; logmr=$2; shift 2 ;;
        --year) need_value "$1" $#; year=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) die 2 "unknown option $1 (see --help)" ;;
    esac
done
[ "$inputs" -gt 0 ] || job_args+=(--input "${job[input]}")
logmr=$(find_logmr "$logmr")
with_year "$year" "$logmr"

spark_submit=
if [ -n "${SPARK_HOME:-}" ]; then
    spark_submit=$SPARK_HOME/bin/spark-submit
elif command -v spark-submit >/dev/null; then
    spark_submit=$(command -v spark-submit)
elif [ -x "$repo_root/target/spark-venv/bin/spark-submit" ]; then
    # PySpark's spark-submit finds its Spark with the python3 first on PATH.
    PATH=$repo_root/target/spark-venv/bin:$PATH
    spark_submit=$repo_root/target/spark-venv/bin/spark-submit
fi
if [ -z "$spark_submit" ] || [ ! -x "$spark_submit" ]; then
    die 2 "no spark-submit: set SPARK_HOME, put spark-submit on PATH, or install PySpark here: bash hadoop-jobs/spark/install.sh"
fi

echo "$script_name: shipping $logmr ($(logmr_build "$logmr")) to Spark at $master" >&2
# spark-submit runs job.py with its stderr joined to stdout, so everything
# it prints goes to stderr here and the result comes through a file.
result=$(mktemp)
trap 'rm -f "$result"' EXIT
# Java reads no KRB5_CONFIG: the driver of a Kerberized cluster's job is
# given the file MIT's tools use (a --conf of the user's comes later, wins).
krb5=()
[ -z "${KRB5_CONFIG:-}" ] || krb5=(--conf "spark.driver.extraJavaOptions=-Djava.security.krb5.conf=$KRB5_CONFIG")
status=0
LOGMR_SPARK_SCRIPT=$script_name "$spark_submit" --master "$master" --conf spark.log.level=WARN "${krb5[@]}" "${confs[@]}" \
    "$repo_root/hadoop-jobs/spark/job.py" "$(basename "$descriptor" .job)" "$logmr" "${job[mapper]}" --result "$result" "${job_args[@]}" >&2 || status=$?
case $status in
    0) after_step "$logmr" <"$result" ;;
    2) die 2 "bad arguments for the job (see above)" ;;
    *) die 1 "the Spark job failed (spark-submit exited with code $status; its messages above)" ;;
esac
