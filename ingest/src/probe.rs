//! Reads what a topic holds at given offsets, with a consumer of its own
//! that joins no group and commits nothing: how the sink checks, before it
//! writes, that its store belongs to the topic it reads.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use crate::error::{Error, Result};

/// The first record of a partition at or after the offset asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub offset: i64,
    pub payload: Vec<u8>,
}

/// For each `(partition, offset)` (one per partition), the first record
/// the topic now holds at or after `offset`, or `None` when the partition
/// ends before one. `config` is the sink's consumer configuration; the
/// group's offsets are neither read nor written. Gives up after `timeout`.
pub fn first_records(
    config: &ClientConfig,
    topic: &str,
    wanted: &[(i32, i64)],
    timeout: Duration,
) -> Result<BTreeMap<i32, Option<Found>>> {
    let mut found = BTreeMap::new();
    if wanted.is_empty() {
        return Ok(found);
    }
    let mut config = config.clone();
    config
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "true")
        .set("auto.offset.reset", "earliest");
    let consumer: BaseConsumer<crate::kafka::Reporting> = config
        .create_with_context(crate::kafka::Reporting("logmr-sink"))
        .map_err(|e| Error::client("consumer", e))?;
    let mut assignment = TopicPartitionList::new();
    for &(partition, offset) in wanted {
        assignment
            .add_partition_offset(topic, partition, Offset::Offset(offset))
            .map_err(|e| Error::kafka("cannot note an offset", e))?;
    }
    consumer
        .assign(&assignment)
        .map_err(|e| Error::kafka("cannot read the topic back", e))?;
    let deadline = Instant::now() + timeout;
    let mut last_error = None;
    while found.len() < wanted.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let missing: Vec<String> = wanted
                .iter()
                .filter(|(p, _)| !found.contains_key(p))
                .map(|(p, o)| format!("partition {p} at offset {o}"))
                .collect();
            return Err(Error::unreachable(
                config.get("bootstrap.servers").unwrap_or_default(),
                format!(
                    "cannot read {topic} back ({}) within {} s{}",
                    missing.join(", "),
                    timeout.as_secs(),
                    last_error.map_or(String::new(), |e| format!(": {e}"))
                ),
            ));
        }
        match consumer.poll(left.min(Duration::from_millis(200))) {
            Some(Ok(m)) => {
                found.entry(m.partition()).or_insert_with(|| {
                    Some(Found {
                        offset: m.offset(),
                        payload: m.payload().unwrap_or_default().to_vec(),
                    })
                });
            }
            Some(Err(KafkaError::PartitionEOF(partition))) => {
                found.entry(partition).or_insert(None);
            }
            Some(Err(e)) => last_error = Some(e),
            None => {}
        }
    }
    Ok(found)
}
