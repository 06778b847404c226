"""A logmr job on Spark: the job of a descriptor (jobs/NAME.job) with the same
logmr binary as its Hadoop Streaming form. Each partition of the input is
piped through the descriptor's mapper (`logmr map ...`) in one process; its
KEY<TAB>COUNT lines are summed per key (reduceByKey) and written sorted by
key bytes, one line per key, as the Streaming job's single reducer writes
them, to the file --result names: spark-submit joins a Python program's
stderr to its stdout, so stdout cannot carry the result alone. Run by
spark-job.sh (spark-submit ... job.py NAME LOGMR "MAPPER" --result FILE ...),
MAPPER being the descriptor's mapper= line.

Inputs are read as Spark reads text (Hadoop's TextInputFormat): files,
directories (recursively; names starting with _ or . skipped), globs, comma
lists, and .gz/.bz2 files through Hadoop's codecs, as the Streaming job reads
them. Spark hands a line to Python as text, so a byte that is not UTF-8
reaches logmr as U+FFFD: the line is still counted once, under the same
level and time bucket, but a source or template holding that byte differs
from the Streaming job's.

Exit codes: 0 success, 1 the job failed (a task's logmr exited non-zero: its
stderr is in the error), 2 bad arguments.
"""

import argparse
import os
import re
import shlex
import subprocess
import sys
import threading
from operator import add

# Lines handed to logmr per write: the pipe sees large writes, not a line at
# a time.
BATCH = 4096


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog=os.environ.get("LOGMR_SPARK_SCRIPT", "spark-job.sh NAME"),
        description="Runs a logmr job on Spark and prints its result "
        "(KEY<TAB>COUNT lines, sorted by key) on stdout.",
    )
    parser.add_argument("name", help=argparse.SUPPRESS)
    parser.add_argument("logmr", help=argparse.SUPPRESS)
    parser.add_argument("mapper", help=argparse.SUPPRESS)
    parser.add_argument(
        "--input",
        action="append",
        required=True,
        metavar="PATH",
        help="a file, directory, glob or comma list, local or hdfs:// (repeatable)",
    )
    parser.add_argument(
        "--result",
        required=True,
        metavar="FILE",
        help=argparse.SUPPRESS,
    )
    parser.add_argument(
        "--output",
        metavar="DIR",
        help="also write the result there (part-00000, _SUCCESS), as Spark's "
        "saveAsTextFile does; it must not exist",
    )
    parser.add_argument(
        "--partitions",
        type=int,
        metavar="N",
        help="the least number of input partitions (default: Spark's, one per block)",
    )
    return parser.parse_args(argv)


def mapper_words(mapper):
    """The words of the descriptor's mapper, after its leading `logmr`."""
    words = shlex.split(mapper)
    if not words or words[0] != "logmr":
        sys.exit(f"spark job: the mapper is not logmr: {mapper}")
    return words[1:]


def map_partition(program, words):
    """The function a task runs on its partition: the lines (bytes) go to
    `logmr map ...` in one process, whose KEY<TAB>COUNT lines come back as
    (key, count)."""

    def run(lines):
        from pyspark import SparkFiles

        logmr = SparkFiles.get(program)
        if not os.access(logmr, os.X_OK):
            os.chmod(logmr, 0o755)
        proc = subprocess.Popen(
            [logmr, *words], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        failure = []

        def feed():
            try:
                batch = []
                for line in lines:
                    batch.append(line)
                    if len(batch) == BATCH:
                        batch.append(b"")
                        proc.stdin.write(b"\n".join(batch))
                        batch = []
                if batch:
                    batch.append(b"")
                    proc.stdin.write(b"\n".join(batch))
                proc.stdin.close()
            except BaseException as e:  # noqa: BLE001 - reported by the task
                failure.append(e)
                proc.stdin.close()

        errors = []
        writer = threading.Thread(target=feed, daemon=True)
        reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)
        writer.start()
        reader.start()
        # One line per key, read as logmr writes them: a task holds no more
        # than the line at hand, however many keys its partition has.
        for line in proc.stdout:
            key, count = line.rstrip(b"\n").rsplit(b"\t", 1)
            yield key, int(count)
        proc.wait()
        writer.join()
        reader.join()
        err = errors[0] if errors else b""
        if proc.returncode != 0:
            raise RuntimeError(
                f"logmr {' '.join(words)} exited with code {proc.returncode}: "
                + err.decode("utf-8", "replace").strip()
            )
        if failure:
            raise failure[0]
        if err:
            sys.stderr.write(err.decode("utf-8", "replace"))

    return run


def main(argv):
    args = parse_args(argv)
    words = mapper_words(args.mapper)
    name = args.name

    from pyspark import SparkContext
    from pyspark.serializers import UTF8Deserializer
    from pyspark.rdd import RDD

    sc = SparkContext(appName=f"logmr {name}")
    sc.setLogLevel("WARN")
    # Directories to the bottom, as the Hadoop job scripts and logmr run
    # read them (Hadoop's text input fails on a subdirectory otherwise).
    sc._jsc.hadoopConfiguration().set("mapreduce.input.fileinputformat.input.dir.recursive", "true")
    sc.addFile(args.logmr)
    program = os.path.basename(args.logmr)
    path = ",".join(args.input)
    lines_java = (
        sc._jsc.textFile(path, args.partitions)
        if args.partitions
        else sc._jsc.textFile(path)
    )
    # The lines as bytes: no decoding in Python, no encoding on the way to logmr.
    lines = RDD(lines_java, sc, UTF8Deserializer(use_unicode=False))
    counts = lines.mapPartitions(map_partition(program, words)).reduceByKey(add)
    result = counts.sortByKey(numPartitions=1).map(lambda kv: kv[0] + b"\t" + str(kv[1]).encode())
    result.cache()
    if args.output:
        result.saveAsTextFile(args.output)
    with open(args.result, "wb") as out:
        for line in result.toLocalIterator():
            out.write(line + b"\n")
    sc.stop()


def reason(error):
    """The innermost exception in the Java stack trace Spark wraps an error
    in (a task's RuntimeError with logmr's message, Hadoop's "Input path
    does not exist"); else the error's first line."""
    text = str(error).strip()
    raised = re.findall(r"^(?:Caused by: |: )?([\w.$]+(?:Exception|Error): .*)$", text, re.M)
    if raised:
        return raised[-1]
    return text.splitlines()[0] if text else repr(error)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except Exception as e:  # noqa: BLE001 - the job's one error exit
        sys.stderr.write(f"spark job: the job failed: {reason(e)}\n")
        sys.exit(1)
