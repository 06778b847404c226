#!/usr/bin/env python3
"""The original Hadoop Streaming job that logmr replaces, rebuilt from its
description: count log lines per level.

    -mapper "python log_mapreduce.py mapper" -reducer "python log_mapreduce.py reducer"
"""
import sys

LEVELS = ["[INFO]", "[WARN]", "[ERROR]", "[DEBUG]"]


def run_mapper():
    for line in sys.stdin:
        line = line.strip()
        for level in LEVELS:
            if level in line:
                print(f"{level[1:-1]}\t1")
                break


def run_reducer():
    current_key = None
    current_count = 0
    for line in sys.stdin:
        line = line.strip()
        key, count = line.split("\t", 1)
        count = int(count)
        if key == current_key:
            current_count += count
        else:
            if current_key is not None:
                print(f"{current_key}\t{current_count}")
            current_key = key
            current_count = count
    if current_key is not None:
        print(f"{current_key}\t{current_count}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("mapper", "reducer"):
        sys.exit("usage: log_mapreduce.py mapper|reducer")
    if sys.argv[1] == "mapper":
        run_mapper()
    else:
        run_reducer()
