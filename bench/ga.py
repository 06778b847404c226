#!/usr/bin/env python3
"""Grouping accuracy (GA) of logmr's templates on loghub 2k samples.

Usage: python3 bench/ga.py [--logmr PATH] LOGHUB_DIR

LOGHUB_DIR holds one folder per family NAME with NAME_2k.log and its
hand-labelled NAME_2k.log_structured.csv (EventId per line), as in
https://github.com/logpai/loghub. For each family it runs
  masked:  logmr map --emit-each --by template FILE     (each line on its own)
  learned: logmr run --by template FILE > LEARNED, then
           logmr map --emit-each --by template --templates LEARNED FILE
and prints a Markdown table of GA per family, with Drain's published GA
where the family is one of the sixteen of Zhu et al. (ICSE-SEIP 2019).
A line counts as right when the lines sharing its group are exactly the
lines sharing its EventId.
"""
import argparse
import collections
import csv
import os
import subprocess
import sys
import tempfile

# Drain's GA on the loghub 2k samples, as benchmarked by Zhu et al. 2019.
DRAIN = {
    "HDFS": 0.998, "Hadoop": 0.948, "Spark": 0.920, "Zookeeper": 0.967,
    "BGL": 0.963, "HPC": 0.887, "Linux": 0.690, "Proxifier": 0.527,
    "Android": 0.911, "Apache": 1.000, "HealthApp": 0.780, "Mac": 0.787,
    "OpenSSH": 0.788, "OpenStack": 0.733, "Thunderbird": 0.955, "Windows": 0.997,
}


def grouping_accuracy(predicted, truth):
    by_pred, by_truth = collections.defaultdict(set), collections.defaultdict(set)
    for i, (p, t) in enumerate(zip(predicted, truth)):
        by_pred[p].add(i)
        by_truth[t].add(i)
    right = sum(1 for p, t in zip(predicted, truth) if by_pred[p] == by_truth[t])
    return right / len(truth)


def keys(logmr, args):
    out = subprocess.run([logmr, *args], check=True, capture_output=True).stdout
    return [line.rsplit(b"\t", 1)[0] for line in out.split(b"\n") if line]


def truth(structured):
    with open(structured, newline="", encoding="utf-8", errors="replace") as f:
        return [row["EventId"] for row in csv.DictReader(f)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--logmr", default="target/release/logmr")
    parser.add_argument("loghub")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for family in sorted(os.listdir(args.loghub)):
            log = os.path.join(args.loghub, family, f"{family}_2k.log")
            if not os.path.exists(log):
                continue
            events = truth(log + "_structured.csv")
            masked = keys(args.logmr, ["map", "--emit-each", "--by", "template", log])
            learned_table = os.path.join(tmp, family + ".tsv")
            with open(learned_table, "wb") as f:
                subprocess.run([args.logmr, "run", "--by", "template", log], check=True, stdout=f)
            learned = keys(args.logmr, ["map", "--emit-each", "--by", "template",
                                        "--templates", learned_table, log])
            # The learned key is ID|TEMPLATE: the id is the group.
            learned = [k.split(b"|", 1)[0] for k in learned]
            if not (len(masked) == len(learned) == len(events)):
                sys.exit(f"{family}: {len(masked)}, {len(learned)} keys for {len(events)} lines")
            rows.append((family, grouping_accuracy(masked, events),
                         grouping_accuracy(learned, events), DRAIN.get(family)))
    if not rows:
        sys.exit(f"no NAME/NAME_2k.log under {args.loghub}")
    print("| Family | masked | learned | Drain |")
    print("|---|---:|---:|---:|")
    for family, masked, learned, drain in rows:
        print(f"| {family} | {masked:.3f} | {learned:.3f} | {drain if drain else '-'} |")
    mean = lambda i: sum(r[i] for r in rows) / len(rows)
    drains = [r[3] for r in rows if r[3] is not None]
    drain_mean = f"{sum(drains) / len(drains):.3f}" if len(drains) == len(rows) else "-"
    print(f"| **mean** | {mean(1):.3f} | {mean(2):.3f} | {drain_mean} |")


if __name__ == "__main__":
    main()
