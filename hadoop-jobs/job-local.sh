#!/usr/bin/env bash
# Runs any job of jobs/ on this machine, as Hadoop runs it: `job-local.sh NAME [OPTIONS] [INPUT...]`
# runs jobs/NAME.job (logcount, levels-by-hour, levels-by-minute, sources,
# templates); `job-local.sh NAME --help` lists the options. An unknown or
# missing NAME exits 2 with the list of jobs.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
exec bash "$here/lib/local.sh" "$here/jobs/${1:-}.job" "job-local.sh${1:+ $1}" "${@:2}"
