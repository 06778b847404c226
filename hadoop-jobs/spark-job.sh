#!/usr/bin/env bash
# Runs any job of jobs/ on Spark with the same logmr binary:
# `spark-job.sh NAME [OPTIONS]` runs jobs/NAME.job (logcount, levels-by-hour,
# levels-by-minute, sources, templates) with spark-submit, here (local[*]) or
# on YARN (--master yarn); `spark-job.sh NAME --help` lists the options. An
# unknown or missing NAME exits 2 with the list of jobs.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
exec bash "$here/lib/spark.sh" "$here/jobs/${1:-}.job" "spark-job.sh${1:+ $1}" "${@:2}"
