#!/usr/bin/env bash
# The real services for tests, pipeline.sh --cluster and the benchmarks:
# Apache Kafka (KRaft, one node), HDFS (MiniDFSCluster) and YARN with
# MapReduce (MiniMRYarnCluster), on free loopback ports. Needs Java 17 and
# Maven; the jars come from Maven Central into ~/.m2 on first use.
#
# Usage:
#   services.sh build             fetch and compile (also done by run and start)
#   services.sh run DIR [FLAGS]   run in the foreground until SIGTERM/SIGINT
#                                 (or, with --watch-stdin, until stdin closes)
#   services.sh start DIR [FLAGS] run in the background; returns when ready
#   services.sh stop DIR          stop what start started, and wait for it
#   services.sh classpath         the class path of the Hadoop client (hadoop)
# FLAGS: --no-kafka, --no-hdfs, --no-yarn, --watch-stdin, and --secure: a
# KDC, HDFS with Kerberos and a SASL_SSL listener beside Kafka's plain one,
# without YARN (see src/main/java/logmr/services/Secure.java).
#
# When ready, DIR/env holds shell assignments: LOGMR_KAFKA_BROKERS=host:port,
# LOGMR_HDFS=hdfs://host:port, HADOOP_CONF_DIR=DIR/conf. The `hadoop` command
# beside this script (bin/hadoop) runs `hadoop jar` and `hadoop fs` against them.
# With --secure, DIR/env adds KRB5_CONFIG, the user's principal and keytab
# (LOGMR_PRINCIPAL, LOGMR_KEYTAB; a user without write permission on the
# store's parent LOGMR_SECURE_HOME: LOGMR_READER_PRINCIPAL, LOGMR_READER_KEYTAB),
# LOGMR_KAFKA_SECURE_BROKERS, LOGMR_KAFKA_SECURE_CONFIG (librdkafka
# properties, mode 0600) and LOGMR_OTHER_CA (a CA that signed nothing).
#
# Exit codes: 0 success, 1 a service failed to start or stop, 2 bad usage.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
target=$here/target

die() {
    local code=$1
    shift
    echo "services.sh: $*" >&2
    exit "$code"
}

java_home() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        echo "$JAVA_HOME"
        return
    fi
    local java
    java=$(command -v java) || die 1 "no java on PATH: install a Java 17 JDK"
    dirname "$(dirname "$(readlink -f "$java")")"
}

build() {
    command -v mvn >/dev/null || die 1 "no mvn on PATH: install Maven"
    local stamp=$target/.built
    if [ -f "$stamp" ] && [ -z "$(find "$here/pom.xml" "$here/kafka/pom.xml" "$here/src" -newer "$stamp" -print -quit)" ]; then
        return
    fi
    echo "services.sh: building the launcher and fetching Kafka and Hadoop jars (first run: about a minute)" >&2
    local log=$target/build.log
    mkdir -p "$target"
    if ! mvn -B -q -f "$here/pom.xml" compile dependency:build-classpath \
        -Dmdep.outputFile="$target/hadoop.classpath" >"$log" 2>&1 ||
        ! mvn -B -q -f "$here/kafka/pom.xml" dependency:build-classpath \
            -Dmdep.outputFile="$target/kafka.classpath" >>"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die 1 "the Maven build failed; its log is $log"
    fi
    touch "$stamp"
}

# The JVM options every Hadoop JVM here needs on Java 17.
java17_opens() {
    local p
    for p in java.lang java.lang.reflect java.io java.net java.nio java.util java.util.concurrent sun.nio.ch sun.security.x509; do
        printf -- '--add-opens=java.base/%s=ALL-UNNAMED ' "$p"
    done
}

# Refuses (exit 2) any flag but those the launcher knows.
check_flags() {
    local flag
    for flag in "$@"; do
        case $flag in
            --no-kafka | --no-hdfs | --no-yarn | --secure | --watch-stdin) ;;
            *) die 2 "unknown flag $flag (see --help)" ;;
        esac
    done
}

run() {
    [ $# -ge 1 ] || die 2 "run needs a directory"
    local dir=$1
    shift
    check_flags "$@"
    build
    mkdir -p "$dir"
    JAVA_HOME=$(java_home)
    export JAVA_HOME
    cd "$dir"
    # shellcheck disable=SC2046
    exec "$JAVA_HOME/bin/java" -Xmx2g $(java17_opens) \
        -cp "$target/classes:$(cat "$target/hadoop.classpath")" logmr.services.Services \
        --dir "$dir" --kafka-classpath "$target/kafka.classpath" "$@"
}

start() {
    [ $# -ge 1 ] || die 2 "start needs a directory"
    local dir
    mkdir -p "$1"
    dir=$(cd "$1" && pwd)
    shift
    check_flags "$@"
    build
    rm -f "$dir/env"
    setsid bash "$here/services.sh" run "$dir" "$@" </dev/null >"$dir/services.log" 2>&1 &
    echo $! >"$dir/launcher.pid"
    local pid=$! waited=0
    until [ -f "$dir/env" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 40 "$dir/services.log" >&2
            die 1 "the services exited while starting; the log is $dir/services.log"
        fi
        [ "$waited" -lt 3000 ] || { stop "$dir"; die 1 "the services were not ready within 300 s; the log is $dir/services.log"; }
        sleep 0.1
        waited=$((waited + 1))
    done
}

stop() {
    [ $# -eq 1 ] || die 2 "stop needs a directory"
    local dir=$1 pid
    [ -f "$dir/launcher.pid" ] || return 0
    pid=$(cat "$dir/launcher.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 600); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        [ ! -f "$dir/kafka/pid" ] || kill -KILL "$(cat "$dir/kafka/pid")" 2>/dev/null || true
        die 1 "the services did not stop within 60 s; killed"
    fi
    rm -f "$dir/launcher.pid" "$dir/env"
}

command=${1:-}
[ $# -eq 0 ] || shift
case $command in
    build) build ;;
    run) run "$@" ;;
    start) start "$@" ;;
    stop) stop "$@" ;;
    classpath) build; echo "$target/classes:$(cat "$target/hadoop.classpath")" ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -n 's/^# \{0,1\}//p' ;;
    *) die 2 "usage: services.sh build|run|start|stop|classpath (see --help)" ;;
esac
