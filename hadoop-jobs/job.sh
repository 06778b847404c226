#!/usr/bin/env bash
# Runs any job of jobs/ on a Hadoop cluster: `job.sh NAME [OPTIONS]`
# runs jobs/NAME.job (logcount, levels-by-hour, levels-by-minute, sources,
# templates); `job.sh NAME --help` lists the options. An unknown or
# missing NAME exits 2 with the list of jobs.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
exec bash "$here/lib/job.sh" "$here/jobs/${1:-}.job" "job.sh${1:+ $1}" "${@:2}"
