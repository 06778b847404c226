//! Reading a topic for a look, like the original `consumer.py`: messages
//! with their partition and offset, without joining a consumer group or
//! committing anything.

use std::io::Write;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use crate::error::{Error, Result};

/// What to read.
#[derive(Clone, Debug)]
pub struct InspectOptions {
    pub brokers: String,
    pub topic: String,
    pub properties: crate::properties::Properties,
    /// Start at the beginning of each partition, else at its end.
    pub from_beginning: bool,
    /// Stop after this many messages.
    pub count: Option<u64>,
    /// Stop when no message has come for this long.
    pub idle: Option<Duration>,
    pub connect_timeout: Duration,
}

/// Prints `PARTITION<TAB>OFFSET<TAB>KEY<TAB>VALUE` lines to `out` until a
/// bound is reached; returns the number printed.
pub fn inspect(
    opts: &InspectOptions,
    out: &mut dyn Write,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<u64> {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &opts.brokers)
        .set("group.id", "logmr-inspect")
        .set("enable.auto.commit", "false");
    opts.properties.apply(&mut config);
    let consumer: BaseConsumer<crate::kafka::Reporting> = config
        .create_with_context(crate::kafka::Reporting("logmr-inspect"))
        .map_err(|e| Error::client("consumer", e))?;
    let partitions = crate::kafka::existing_partitions(
        &consumer,
        &opts.brokers,
        &opts.topic,
        opts.connect_timeout,
        "check its name (logmr-gen creates it)",
    )?;
    // Assigned directly, not subscribed: a look must not move any group.
    let mut assignment = TopicPartitionList::new();
    let start = if opts.from_beginning {
        Offset::Beginning
    } else {
        Offset::End
    };
    for p in partitions {
        assignment
            .add_partition_offset(&opts.topic, p, start)
            .map_err(|e| Error::kafka("cannot build the assignment", e))?;
    }
    consumer
        .assign(&assignment)
        .map_err(|e| Error::kafka("cannot assign partitions", e))?;

    let mut printed = 0u64;
    let mut last_message = Instant::now();
    while !stop.load(std::sync::atomic::Ordering::Relaxed) && opts.count.is_none_or(|c| printed < c)
    {
        if opts.idle.is_some_and(|idle| last_message.elapsed() >= idle) {
            break;
        }
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                last_message = Instant::now();
                let mut line = format!("{}\t{}\t", m.partition(), m.offset()).into_bytes();
                line.extend_from_slice(m.key().unwrap_or_default());
                line.push(b'\t');
                line.extend_from_slice(m.payload().unwrap_or_default());
                line.push(b'\n');
                out.write_all(&line)
                    .map_err(|e| Error::io("cannot write to stdout", e))?;
                printed += 1;
            }
            Some(Err(e)) => return Err(Error::kafka(format!("cannot read {}", opts.topic), e)),
            None => {}
        }
    }
    out.flush()
        .map_err(|e| Error::io("cannot write to stdout", e))?;
    Ok(printed)
}
