#!/usr/bin/env bash
# Counts log lines per level on this machine, the way the Hadoop job does:
# `logmr map | LC_ALL=C sort | logmr reduce` over local files, one map task
# per file. The job is jobs/logcount.job; `logcount-local.sh --help` lists
# the options.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
exec bash "$here/lib/local.sh" "$here/jobs/logcount.job" logcount-local.sh "$@"
