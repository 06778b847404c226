#!/usr/bin/env bash
# Runs any job of jobs/ on this machine, as Hadoop runs it:
# `job-local.sh NAME [OPTIONS] [INPUT...]` runs jobs/NAME.job;
# `job-local.sh NAME --help` lists the options.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
if [ $# -eq 0 ]; then
    names=("$here"/jobs/*.job)
    names=("${names[@]##*/}")
    echo "usage: job-local.sh NAME [OPTIONS] [INPUT...], NAME one of: ${names[*]%.job}" >&2
    exit 2
fi
name=$1
shift
exec bash "$here/lib/local.sh" "$here/jobs/$name.job" "job-local.sh $name" "$@"
