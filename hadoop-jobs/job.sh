#!/usr/bin/env bash
# Runs any job of jobs/ on a Hadoop cluster: `job.sh NAME [OPTIONS]` runs
# jobs/NAME.job (logcount, levels-by-hour, levels-by-minute, sources,
# templates); `job.sh NAME --help` lists the options.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
if [ $# -eq 0 ]; then
    names=("$here"/jobs/*.job)
    names=("${names[@]##*/}")
    echo "usage: job.sh NAME [OPTIONS], NAME one of: ${names[*]%.job}" >&2
    exit 2
fi
name=$1
shift
exec bash "$here/lib/job.sh" "$here/jobs/$name.job" "job.sh $name" "$@"
