#!/usr/bin/env bash
# Every test of the project, from a fresh clone: formatting, lints, unit and
# property tests, CLI tests, end-to-end tests against real Apache Kafka, HDFS
# and YARN (and secure ones: a KDC, HDFS with Kerberos, Kafka with
# SASL_SSL), the benchmark harness on a tiny corpus, the criterion benchmarks
# once each, the fuzz targets for a bounded time, shell script checks, the
# README's quick start without Java, and the whole pipeline, on the embedded
# default, on the real services and on the secure ones.
# Installs what it needs (shellcheck, gawk, ripgrep, pigz, valgrind, time, binutils,
# chromium, man-db, Maven, python3-venv, krb5-user; PySpark from PyPI; cargo-fuzz and, pinned, cargo-zigbuild
# from crates.io and zig from PyPI; Kafka and Hadoop jars from Maven
# Central into ~/.m2) when missing.
#
# Exit codes: 0 every test passed, 1 a test or a step failed, 2 bad arguments.
set -euo pipefail
case ${1:-} in
    -h | --help)
        echo "Usage: bash tests/run.sh [-h|--help]"
        echo
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -n 's/^# \{0,1\}//p'
        exit 0
        ;;
    '') ;;
    *) echo "tests/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

need_apt() {
    local tool=$1 package=$2
    command -v "$tool" >/dev/null 2>&1 && return 0
    step "installing $package"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$package" >/dev/null
    command -v "$tool" >/dev/null 2>&1 || { echo "tests: could not install $package" >&2; exit 1; }
}

need_apt shellcheck shellcheck
# Peers of the comparison harness, which its own test runs end to end.
need_apt gawk gawk
need_apt rg ripgrep
need_apt pigz pigz
# Instructions per line in the comparison report.
need_apt valgrind valgrind
[ -x /usr/bin/time ] || need_apt /usr/bin/time time
# objdump checks the glibc the portable logmr needs.
need_apt objdump binutils
# The portable build keeps its zig in a virtual environment of its own.
if ! python3 -c 'import ensurepip' 2>/dev/null; then
    step "installing python3-venv"
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq python3-venv >/dev/null
fi
# The browser that renders `logmr report`'s chart in its end-to-end test.
need_apt chromium chromium
# man finds the pages mr/install.sh installs (the install test).
need_apt man man-db

# Java 17 and Maven run the real services (tests/services): Apache Kafka,
# HDFS and YARN. Their jars come from Maven Central into ~/.m2 on first use.
need_apt mvn maven
# kinit and kdestroy, for the secure services' Kerberos.
need_apt kinit krb5-user
java -version 2>&1 | grep -q 'version "\(1[7-9]\|2[0-9]\)' || need_apt /usr/lib/jvm/java-17-openjdk-amd64/bin/java openjdk-17-jdk-headless
step "building the services launcher, fetching Kafka and Hadoop"
bash tests/services/services.sh build

# The original Python producer the generator is compared with.
python3 -c 'import kafka' 2>/dev/null || { step "installing kafka-python"; python3 -m pip install --quiet kafka-python; }

# The Spark job's PySpark (hadoop-jobs/spark/requirements.txt), in target/spark-venv.
bash hadoop-jobs/spark/install.sh

step "cargo fmt --check"
cargo fmt --all --check
cargo fmt --manifest-path mr/fuzz/Cargo.toml --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy --manifest-path mr/fuzz/Cargo.toml --quiet -- -D warnings

step "shellcheck"
git ls-files -z "*.sh" tests/services/bin/hadoop | xargs -0 shellcheck

# One set of services for every test process, and one of secure services
# (a KDC, HDFS with Kerberos, Kafka with SASL_SSL); stopped on exit.
services_dir=$(mktemp -d)
secure_dir=$(mktemp -d)
stop_services() {
    bash tests/services/services.sh stop "$services_dir" || true
    bash tests/services/services.sh stop "$secure_dir" || true
    rm -rf "$services_dir" "$secure_dir"
}
trap stop_services EXIT
step "starting Apache Kafka, HDFS and YARN for the tests"
bash tests/services/services.sh start "$services_dir"
cat "$services_dir/env"
export LOGMR_SERVICES_DIR=$services_dir
step "starting the secure services for the tests"
bash tests/services/services.sh start "$secure_dir" --secure
export LOGMR_SECURE_SERVICES_DIR=$secure_dir

step "the portable logmr that the job scripts ship (x86_64 Linux, glibc 2.17)"
bash mr/build-portable.sh

step "cargo test (HDFS, YARN and Kafka tests included)"
cargo test --workspace

step "criterion benchmarks, once each in test mode"
cargo test -p logmr-bench --benches

step "fuzz targets, 30 s each"
bash mr/fuzz/run.sh 30

step "the README's quick start, word for word, with java and mvn made to fail"
bash tests/quick-start.sh

step "the whole pipeline on one machine (README command 1)"
bash hadoop-jobs/pipeline.sh

step "the whole pipeline on real Kafka, HDFS and YARN started here"
stop_services
trap - EXIT
unset LOGMR_SERVICES_DIR LOGMR_SECURE_SERVICES_DIR
bash hadoop-jobs/pipeline.sh --cluster

step "the whole pipeline over SASL_SSL into HDFS with Kerberos, started here"
bash hadoop-jobs/pipeline.sh --cluster --secure --count 20000
