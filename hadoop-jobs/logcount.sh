#!/usr/bin/env bash
# Counts log lines per level on a Hadoop cluster: Hadoop Streaming with
# `logmr map` as mapper, `logmr reduce` as combiner and reducer. The job is
# jobs/logcount.job; `logcount.sh --help` lists the options.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
exec bash "$here/lib/job.sh" "$here/jobs/logcount.job" logcount.sh "$@"
