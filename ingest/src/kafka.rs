//! Lines into a Kafka topic through librdkafka (the `rdkafka` crate).
//!
//! Every message is accounted for: acknowledged, or reported as failed. A
//! full local queue is backpressure (serve delivery reports, retry), never
//! a dropped message. Brokers that cannot be reached at start give a clear
//! error within the connect timeout, not a hang.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_executor::block_on;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::{ClientContext, DefaultClientContext};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};

use crate::destination::{Delivery, Destination};
use crate::error::{Error, Result};
use crate::format::machine_key;
use crate::properties::Properties;

/// Producer settings applied before the user's `-X` overrides. Measured
/// against a loopback broker (see `bench/`): batching with a short linger
/// is what turns per-message round trips into throughput.
pub const PRODUCER_DEFAULTS: &[(&str, &str)] = &[
    ("linger.ms", "5"),
    ("batch.size", "1000000"),
    ("batch.num.messages", "100000"),
    ("queue.buffering.max.kbytes", "65536"),
    ("queue.buffering.max.messages", "1000000"),
    ("message.timeout.ms", "30000"),
];

/// Where and how to produce.
#[derive(Clone, Debug)]
pub struct KafkaOptions {
    pub brokers: String,
    pub topic: String,
    /// librdkafka properties (`-F`, `LOGMR_X_*`, `-X`); they win.
    pub properties: Properties,
    /// For a topic that must be created.
    pub partitions: i32,
    /// For a topic that must be created; -1 means the broker's default.
    pub replication: i32,
    pub create_topic: bool,
    pub connect_timeout: Duration,
}

/// The client configuration: defaults, then the user's properties.
pub fn client_config(opts: &KafkaOptions, defaults: &[(&str, &str)]) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", &opts.brokers);
    for (k, v) in defaults {
        config.set(*k, *v);
    }
    opts.properties.apply(&mut config);
    config
}

/// Counts delivery reports, and notes when every broker is gone.
#[derive(Default)]
pub struct DeliveryCounter {
    delivered: AtomicU64,
    failed: AtomicU64,
    first_error: Mutex<Option<String>>,
    /// Why the brokers are unreachable, once librdkafka says all are down.
    brokers_down: Mutex<Option<String>>,
}

impl ClientContext for DeliveryCounter {
    fn error(&self, error: KafkaError, reason: &str) {
        if error.rdkafka_error_code() == Some(RDKafkaErrorCode::AllBrokersDown) {
            let mut down = self.brokers_down.lock().unwrap_or_else(|p| p.into_inner());
            down.get_or_insert_with(|| format!("all brokers are down: {reason}"));
        }
        report_client_error("logmr-gen", &error, reason);
    }
}

/// How often a background error of one kind is said again, with how many
/// times it came meanwhile.
pub const REPEAT_EVERY: Duration = Duration::from_secs(10);

/// The background errors said so far, by kind: librdkafka repeats them on
/// every retry (a down broker hundreds of times in seconds).
#[derive(Debug, Default)]
pub struct Repeats {
    /// Per kind: when it was last said, and how often it came since.
    said: Vec<(String, Instant, u64)>,
}

impl Repeats {
    /// An error of `kind` at `now`: `Some(0)` to say it (the first time),
    /// `Some(n)` to say it with the `n` times it came since it was last
    /// said [`REPEAT_EVERY`] ago or longer, `None` to keep quiet.
    pub fn note(&mut self, kind: &str, now: Instant) -> Option<u64> {
        let Some((_, last, since)) = self.said.iter_mut().find(|(k, _, _)| k == kind) else {
            self.said.push((kind.to_string(), now, 0));
            return Some(0);
        };
        *since += 1;
        if now.duration_since(*last) < REPEAT_EVERY {
            return None;
        }
        let count = std::mem::take(since);
        *last = now;
        Some(count)
    }
}

static REPORTED: Mutex<Repeats> = Mutex::new(Repeats { said: Vec::new() });

/// Reports an error librdkafka gives in the background on stderr: the
/// first of each kind at once, then at most every [`REPEAT_EVERY`] with a
/// count. A refusal is also noted ([`crate::refusal`]), so that a request
/// that times out afterwards says why.
pub fn report_client_error(program: &str, error: &KafkaError, reason: &str) {
    crate::refusal::note_kafka(error, reason);
    let kind = error.to_string();
    let mut reported = REPORTED.lock().unwrap_or_else(|p| p.into_inner());
    match reported.note(&kind, Instant::now()) {
        Some(0) => eprintln!("{program}: warning: {error}: {reason}"),
        Some(n) => eprintln!(
            "{program}: warning: {error}: {reason} ({n} more since the last warning of this kind)"
        ),
        None => {}
    }
}

/// The context of a client that only reports: background errors through
/// [`report_client_error`] under the program's name.
pub struct Reporting(pub &'static str);

impl ClientContext for Reporting {
    fn error(&self, error: KafkaError, reason: &str) {
        report_client_error(self.0, &error, reason);
    }
}

impl ConsumerContext for Reporting {}

impl ProducerContext for DeliveryCounter {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.delivered.fetch_add(1, Ordering::Relaxed);
            }
            Err((e, _)) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                let mut first = self.first_error.lock().unwrap_or_else(|p| p.into_inner());
                first.get_or_insert_with(|| e.to_string());
            }
        }
    }
}

/// The partition count of `topic` on the brokers, or `None` when it does
/// not exist. It asks for the metadata of every topic: a request that names
/// the topic lets a stock broker (`auto.create.topics.enable=true`, Kafka's
/// default) create it on the spot with its own `num.partitions`.
fn topic_partitions<C: ClientContext>(
    client: &rdkafka::client::Client<C>,
    opts: &KafkaOptions,
) -> Result<Option<usize>> {
    // The producer's own thread serves its events.
    let metadata = metadata_within(client, None, &opts.brokers, opts.connect_timeout, || {})?;
    Ok(partitions_of(&metadata, &opts.topic).map(<[_]>::len))
}

/// How long one metadata request may wait before the loop of
/// [`metadata_within`] looks for a refusal.
const METADATA_TRY: Duration = Duration::from_millis(500);

/// The metadata of `topic` (or of every topic), asked of `brokers` for up
/// to `timeout` in short tries; between them `serve` lets the client's
/// background events (errors among them) through. A refusal ends the wait
/// at once ([`Error::Denied`]); else, after `timeout`, the brokers are
/// unreachable.
pub fn metadata_within<C: ClientContext>(
    client: &rdkafka::client::Client<C>,
    topic: Option<&str>,
    brokers: &str,
    timeout: Duration,
    serve: impl Fn(),
) -> Result<rdkafka::metadata::Metadata> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match client.fetch_metadata(topic, left.min(METADATA_TRY)) {
            Ok(metadata) => return Ok(metadata),
            Err(e) => {
                serve();
                if crate::refusal::kafka_refusal().is_some() || left <= METADATA_TRY {
                    return Err(Error::unreachable(
                        brokers,
                        format!("{e} (within {} s)", timeout.as_secs()),
                    ));
                }
            }
        }
    }
}

/// The partitions of `topic` in `metadata`, or `None` when the brokers do
/// not have it (an error in its entry, or no partitions).
pub fn partitions_of<'m>(
    metadata: &'m rdkafka::metadata::Metadata,
    topic: &str,
) -> Option<&'m [rdkafka::metadata::MetadataPartition]> {
    metadata
        .topics()
        .iter()
        .find(|t| t.name() == topic && t.error().is_none() && !t.partitions().is_empty())
        .map(|t| t.partitions())
}

/// The partitions of `topic`, asked of the brokers that `consumer` reaches
/// (`brokers`, for the message): an error when they do not answer within
/// `timeout`, or when the topic does not exist (with `hint`, what to do).
pub fn existing_partitions<C: ConsumerContext>(
    consumer: &BaseConsumer<C>,
    brokers: &str,
    topic: &str,
    timeout: Duration,
    hint: &'static str,
) -> Result<Vec<i32>> {
    // Polling a consumer that has no partitions yet serves its events.
    let metadata = metadata_within(consumer.client(), Some(topic), brokers, timeout, || {
        let _ = consumer.poll(Duration::ZERO);
    })?;
    match partitions_of(&metadata, topic) {
        Some(partitions) => Ok(partitions.iter().map(|p| p.id()).collect()),
        None => Err(Error::MissingTopic {
            topic: topic.to_string(),
            brokers: brokers.to_string(),
            hint,
        }),
    }
}

/// Fails unless the brokers answer a metadata request within the timeout;
/// creates the topic when it is missing and `create_topic` is set. Returns
/// the topic's partition count, which is the broker's: an existing topic
/// keeps its own, whatever `opts.partitions` says.
fn ensure_topic(
    producer: &ThreadedProducer<DeliveryCounter>,
    opts: &KafkaOptions,
) -> Result<usize> {
    if let Some(partitions) = topic_partitions(producer.client(), opts)? {
        return Ok(partitions);
    }
    if !opts.create_topic {
        return Err(Error::MissingTopic {
            topic: opts.topic.clone(),
            brokers: opts.brokers.clone(),
            hint: "create it, or drop --no-create-topic",
        });
    }
    create_topic(opts)?;
    // A new topic shows in the metadata once its partitions have leaders.
    let deadline = std::time::Instant::now() + opts.connect_timeout;
    loop {
        if let Some(partitions) = topic_partitions(producer.client(), opts)? {
            return Ok(partitions);
        }
        if std::time::Instant::now() > deadline {
            return Err(Error::unreachable(
                &opts.brokers,
                format!(
                    "topic {} was created but has no partition leaders after {} s",
                    opts.topic,
                    opts.connect_timeout.as_secs()
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Creates the topic; an existing one is fine.
pub fn create_topic(opts: &KafkaOptions) -> Result<()> {
    let admin: AdminClient<DefaultClientContext> = client_config(opts, &[])
        .create()
        .map_err(|e| Error::client("admin client", e))?;
    let topic = NewTopic::new(
        &opts.topic,
        opts.partitions,
        TopicReplication::Fixed(opts.replication),
    );
    let options = AdminOptions::new().operation_timeout(Some(opts.connect_timeout));
    let results = block_on(admin.create_topics([&topic], &options))
        .map_err(|e| Error::kafka(format!("cannot create topic {}", opts.topic), e))?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => {
                return Err(Error::kafka(
                    format!("cannot create topic {name}"),
                    KafkaError::AdminOp(code),
                ));
            }
        }
    }
    Ok(())
}

/// Lines into a topic, keyed by machine id so that each machine's lines
/// stay in order within one partition. A background thread serves delivery
/// reports as they come, so the counts never lag.
pub struct KafkaDestination {
    producer: ThreadedProducer<DeliveryCounter>,
    topic: String,
    keys: Vec<Vec<u8>>,
    produced: u64,
    flush_timeout: Duration,
    partitions: usize,
}

impl KafkaDestination {
    /// Connects, checks the brokers answer, and makes sure the topic exists.
    pub fn connect(opts: &KafkaOptions, machines: u32) -> Result<KafkaDestination> {
        let config = client_config(opts, PRODUCER_DEFAULTS);
        let message_timeout = config
            .get("message.timeout.ms")
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(300_000);
        let producer: ThreadedProducer<DeliveryCounter> = config
            .create_with_context(DeliveryCounter::default())
            .map_err(|e| Error::client("producer", e))?;
        let partitions = ensure_topic(&producer, opts)?;
        Ok(KafkaDestination {
            partitions,
            producer,
            topic: opts.topic.clone(),
            keys: (0..=machines).map(machine_key).collect(),
            produced: 0,
            // Every queued message is settled, delivered or failed, within
            // message.timeout.ms; allow a little more for the last reports.
            flush_timeout: Duration::from_millis(message_timeout) + Duration::from_secs(5),
        })
    }
}

impl KafkaDestination {
    /// The topic's partition count as the broker reports it.
    pub fn partitions(&self) -> usize {
        self.partitions
    }
}

impl Destination for KafkaDestination {
    fn send(&mut self, machine: u32, line: &[u8]) -> Result<()> {
        let payload = line.strip_suffix(b"\n").unwrap_or(line);
        let key = &self.keys[machine as usize];
        let mut record = BaseRecord::to(&self.topic)
            .key(key.as_slice())
            .payload(payload);
        loop {
            match self.producer.send(record) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), returned)) => {
                    // Backpressure: wait for deliveries to make room.
                    std::thread::sleep(Duration::from_millis(5));
                    record = returned;
                }
                Err((e, _)) => {
                    return Err(Error::kafka(format!("cannot produce to {}", self.topic), e));
                }
            }
        }
        self.produced += 1;
        Ok(())
    }

    fn delivered(&self) -> u64 {
        self.producer.context().delivered.load(Ordering::Relaxed)
    }

    fn failed(&self) -> u64 {
        self.producer.context().failed.load(Ordering::Relaxed)
    }

    fn halted(&self) -> Option<String> {
        let ctx = self.producer.context();
        let down = ctx.brokers_down.lock().unwrap_or_else(|p| p.into_inner());
        match (&*down, self.failed()) {
            (Some(reason), _) => Some(reason.clone()),
            (None, 0) => None,
            (None, n) => Some(format!("{n} message(s) failed")),
        }
    }

    fn finish(&mut self) -> Result<Delivery> {
        // A flush that times out leaves messages unsettled; they count as
        // failed below, never as delivered.
        let flushed = self.producer.flush(self.flush_timeout);
        let ctx = self.producer.context();
        let delivered = ctx.delivered.load(Ordering::Relaxed);
        let failed = self.produced - delivered.min(self.produced);
        let mut first_error = ctx
            .first_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Err(e) = flushed {
            first_error.get_or_insert_with(|| format!("flush: {e}"));
        }
        Ok(Delivery {
            produced: self.produced,
            delivered,
            failed,
            first_error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_error_is_said_once_then_with_a_count_every_few_seconds() {
        let mut repeats = Repeats::default();
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        assert_eq!(repeats.note("AllBrokersDown", at(0)), Some(0));
        assert_eq!(repeats.note("Transport", at(1)), Some(0));
        for ms in (10..9_990).step_by(10) {
            assert_eq!(repeats.note("AllBrokersDown", at(ms)), None);
        }
        assert_eq!(repeats.note("AllBrokersDown", at(10_000)), Some(999));
        assert_eq!(repeats.note("AllBrokersDown", at(10_010)), None);
        assert_eq!(repeats.note("AllBrokersDown", at(20_000)), Some(2));
        assert_eq!(repeats.note("Transport", at(20_001)), Some(1));
    }

    #[test]
    fn user_properties_win_over_defaults() {
        let opts = KafkaOptions {
            brokers: "h:1".into(),
            topic: "t".into(),
            properties: Properties::gather(None, &[], &["linger.ms=0".into()]).unwrap(),
            partitions: 1,
            replication: 1,
            create_topic: true,
            connect_timeout: Duration::from_secs(1),
        };
        let config = client_config(&opts, PRODUCER_DEFAULTS);
        assert_eq!(config.get("linger.ms"), Some("0"));
        assert_eq!(config.get("bootstrap.servers"), Some("h:1"));
        assert_eq!(config.get("batch.size"), Some("1000000"));
    }
}
