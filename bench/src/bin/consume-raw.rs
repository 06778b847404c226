//! `consume-raw BROKERS TOPIC COUNT`: reads COUNT messages of TOPIC from the
//! beginning of every partition and discards them. No batching, no files:
//! its rate is the ceiling of rdkafka consuming on this machine and broker.
//! It fetches with the sink's consumer defaults, so that the two differ only
//! in what they do with a record.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};

fn run(brokers: &str, topic: &str, count: u64) -> Result<String, String> {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", brokers)
        .set("group.id", "consume-raw")
        .set("enable.auto.commit", "false");
    for (k, v) in ingest::consume::CONSUMER_DEFAULTS {
        config.set(*k, *v);
    }
    let consumer: BaseConsumer = config.create().map_err(|e| e.to_string())?;
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .map_err(|e| e.to_string())?;
    let mut assignment = TopicPartitionList::new();
    for t in metadata.topics().iter().filter(|t| t.name() == topic) {
        for p in t.partitions() {
            assignment
                .add_partition_offset(topic, p.id(), Offset::Beginning)
                .map_err(|e| e.to_string())?;
        }
    }
    consumer.assign(&assignment).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut seen = 0;
    while seen < count {
        match consumer.poll(Duration::from_secs(10)) {
            Some(Ok(_)) => seen += 1,
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err(format!("only {seen} of {count} messages arrived")),
        }
    }
    Ok(format!(
        "{seen} messages in {:.3} s",
        started.elapsed().as_secs_f64()
    ))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [brokers, topic, count] = args.as_slice() else {
        eprintln!("usage: consume-raw BROKERS TOPIC COUNT");
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse() else {
        eprintln!("consume-raw: COUNT must be a number");
        return ExitCode::from(2);
    };
    match run(brokers, topic, count) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("consume-raw: {e}");
            ExitCode::FAILURE
        }
    }
}
