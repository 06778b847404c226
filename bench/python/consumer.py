#!/usr/bin/env python3
"""The original consumer that logmr-sink replaces, rebuilt from its
description: read logs_machine with kafka-python and append the records to
one file in batches (the original appended to HDFS every 60 s). For
benchmarking it stops once no message has come for --idle seconds.
"""
import argparse

from kafka import KafkaConsumer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--brokers", default="localhost:9092")
    parser.add_argument("--topic", default="logs_machine")
    parser.add_argument("--group", default="python-consumer")
    parser.add_argument("--output", required=True)
    parser.add_argument("--batch", type=int, default=100000)
    parser.add_argument("--idle", type=float, default=1.0)
    args = parser.parse_args()

    consumer = KafkaConsumer(
        args.topic,
        bootstrap_servers=args.brokers,
        group_id=args.group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=int(args.idle * 1000),
    )
    batch = []
    with open(args.output, "a") as out:
        for message in consumer:
            batch.append(message.value.decode() + "\n")
            if len(batch) >= args.batch:
                out.write("".join(batch))
                out.flush()
                consumer.commit()
                batch = []
        if batch:
            out.write("".join(batch))
            out.flush()
            consumer.commit()
    consumer.close()


if __name__ == "__main__":
    main()
