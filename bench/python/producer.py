#!/usr/bin/env python3
"""The original generator that logmr-gen replaces, rebuilt from its
description: random machine logs published to Kafka with kafka-python, one
message per line. The original ran forever with a pause between lines;
--count N sends N lines as fast as it can, for benchmarking.
"""
import argparse
import random
from datetime import datetime

from kafka import KafkaProducer

LEVELS = ["INFO", "WARN", "ERROR", "DEBUG"]
MESSAGES = ["disk usage at {}%", "memory usage at {}%", "job {} finished", "connection refused on port {}"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--brokers", default="localhost:9092")
    parser.add_argument("--topic", default="logs_machine")
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()

    producer = KafkaProducer(bootstrap_servers=args.brokers)
    for _ in range(args.count):
        now = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        level = random.choice(LEVELS)
        machine = f"machine-{random.randint(1, 20):02d}"
        message = random.choice(MESSAGES).format(random.randint(0, 99))
        producer.send(args.topic, f"{now} [{level}] {machine}: {message}".encode())
    producer.flush()
    producer.close()


if __name__ == "__main__":
    main()
