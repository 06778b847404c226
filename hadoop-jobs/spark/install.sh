#!/usr/bin/env bash
# Installs the PySpark of requirements.txt into target/spark-venv, where
# spark-job.sh finds its spark-submit when neither SPARK_HOME nor PATH has
# one. Does nothing when that PySpark is already there. Needs python3 with
# venv and pip, and PyPI (about 450 MB); Spark itself needs Java 17 or 21.
#
# Exit codes: 0 installed or already there, 1 the installation failed,
# 2 bad arguments.
set -euo pipefail
case ${1:-} in
    -h | --help)
        echo "Usage: bash hadoop-jobs/spark/install.sh [-h|--help]"
        echo
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -n 's/^# \{0,1\}//p'
        exit 0
        ;;
    '') ;;
    *) echo "spark/install.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv=$here/../../target/spark-venv
stamp=$venv/.installed
requirements=$here/requirements.txt
if [ -f "$stamp" ] && [ ! "$requirements" -nt "$stamp" ] && [ -x "$venv/bin/spark-submit" ]; then
    exit 0
fi
echo "spark/install.sh: installing PySpark ($(grep -o 'pyspark==[^ ]*' "$requirements")) into target/spark-venv" >&2
python3 -m venv "$venv" || { echo "spark/install.sh: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" ||
    { echo "spark/install.sh: pip could not install $requirements" >&2; exit 1; }
touch "$stamp"
