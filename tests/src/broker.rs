//! Kafka brokers for tests, both Apache Kafka from [`crate::services`]
//! (KRaft, stock topic defaults). Most tests share one broker, each with
//! topics of its own; tests that stop a broker mid-run start one of their
//! own. A broker that cannot start is a test failure, never a skip.

use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;

use crate::services::{OwnKafka, services, unique};

/// A broker a test talks to.
pub struct Broker {
    address: String,
    /// The broker this test owns; `None` for the shared one.
    own: Option<OwnKafka>,
    /// The librdkafka properties file of a secure listener (`-F FILE`).
    config: Option<std::path::PathBuf>,
}

impl Broker {
    /// The shared Apache Kafka broker.
    pub fn apache() -> Broker {
        Broker {
            address: services().kafka.clone(),
            own: None,
            config: None,
        }
    }

    /// The SASL_SSL listener of the secure services' Apache Kafka.
    pub fn secure() -> Broker {
        let s = crate::services::secure_services();
        Broker {
            address: s.kafka_secure.clone(),
            own: None,
            config: Some(s.kafka_config.clone()),
        }
    }

    /// The arguments that give a logmr tool this broker's properties.
    pub fn client_args(&self) -> Vec<std::ffi::OsString> {
        match &self.config {
            Some(file) => vec!["-F".into(), file.into()],
            None => Vec::new(),
        }
    }

    /// A client configuration for this broker.
    fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &self.address);
        if let Some(file) = &self.config {
            for (k, v) in crate::services::read_properties(file) {
                config.set(k, v);
            }
        }
        config
    }

    /// An Apache Kafka broker of this test's own, for tests that kill it.
    pub fn own(label: &str) -> Broker {
        let own = OwnKafka::start(label);
        Broker {
            address: own.address.clone(),
            own: Some(own),
            config: None,
        }
    }

    /// `host:port` for clients.
    pub fn address(&self) -> String {
        self.address.clone()
    }

    /// A topic name for this test: `base-PID`, so that runs sharing a
    /// broker never meet.
    pub fn topic(&self, base: &str) -> String {
        unique(base)
    }

    /// Creates a topic with `partitions` partitions and waits until every
    /// partition has a leader.
    pub fn create_topic(&self, name: &str, partitions: u32) {
        let topic = NewTopic::new(name, partitions as i32, TopicReplication::Fixed(1));
        let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
        let deadline = Instant::now() + Duration::from_secs(30);
        // A topic just deleted may still be on its way out: try again.
        loop {
            let results = futures_executor(self.admin().create_topics([&topic], &options));
            match results.expect("CreateTopics").remove(0) {
                Ok(_) => break,
                Err((topic, e)) if Instant::now() >= deadline => {
                    panic!("create topic {topic}: {e}")
                }
                Err(_) => std::thread::sleep(Duration::from_millis(500)),
            }
        }
        while self.partitions(name) != Some(partitions as usize) {
            assert!(
                Instant::now() < deadline,
                "topic {name} has no leaders after 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn admin(&self) -> AdminClient<DefaultClientContext> {
        self.client_config()
            .create()
            .expect("create an admin client")
    }

    /// Deletes `topic` and waits until it is gone, so that it can be
    /// created again under the same name (with a new topic ID).
    pub fn delete_topic(&self, name: &str) {
        let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
        let results = futures_executor(self.admin().delete_topics(&[name], &options));
        for result in results.expect("DeleteTopics") {
            result.unwrap_or_else(|(topic, e)| panic!("delete topic {topic}: {e}"));
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.partitions(name).is_some() {
            assert!(
                Instant::now() < deadline,
                "topic {name} still there after 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Deletes the records of `topic`'s `partition` before `offset`, as
    /// retention would: the partition's low watermark becomes `offset`.
    pub fn delete_records_before(&self, topic: &str, partition: i32, offset: i64) {
        let mut tpl = rdkafka::TopicPartitionList::new();
        tpl.add_partition_offset(topic, partition, rdkafka::Offset::Offset(offset))
            .expect("a partition offset");
        let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
        let result =
            futures_executor(self.admin().delete_records(&tpl, &options)).expect("DeleteRecords");
        for elem in result.elements() {
            if let Err(e) = elem.error() {
                panic!("delete records of {topic} partition {partition}: {e}");
            }
        }
    }

    /// The partition count of `topic` as the broker describes it, without
    /// creating it; `None` when it does not exist.
    pub fn partitions(&self, topic: &str) -> Option<usize> {
        partition_count_with(self.client_config(), topic)
    }

    /// Kills this test's own broker now, as a crash would.
    pub fn kill(&mut self) {
        self.own
            .as_ref()
            .expect("only a broker of the test's own can be killed")
            .kill();
    }
}

/// Runs a future to completion on this thread.
fn futures_executor<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct Thread(std::thread::Thread);
    impl Wake for Thread {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(std::sync::Arc::new(Thread(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park_timeout(Duration::from_millis(50));
    }
}

/// The partition count of `topic` at `brokers`, read from the metadata of
/// all topics (asking for one topic by name may create it), or `None`.
pub fn partition_count(brokers: &str, topic: &str) -> Option<usize> {
    partition_count_with(
        ClientConfig::new()
            .set("bootstrap.servers", brokers)
            .clone(),
        topic,
    )
}

fn partition_count_with(mut config: ClientConfig, topic: &str) -> Option<usize> {
    let consumer: BaseConsumer = config
        .set("allow.auto.create.topics", "false")
        .create()
        .expect("create a metadata client");
    let metadata = consumer
        .fetch_metadata(None, Duration::from_secs(10))
        .expect("fetch metadata");
    metadata
        .topics()
        .iter()
        .find(|t| t.name() == topic && t.error().is_none())
        .filter(|t| t.partitions().iter().all(|p| p.leader() >= 0))
        .map(|t| t.partitions().len())
}

/// A message read back from a topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub partition: i32,
    pub offset: i64,
    pub key: Vec<u8>,
    pub payload: Vec<u8>,
}

/// Reads `count` messages of `topic` from the start, in a fresh consumer
/// group, or panics after `timeout`.
pub fn consume(brokers: &str, topic: &str, count: usize, timeout: Duration) -> Vec<Record> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let group = format!("e2e-{}-{n}", std::process::id());
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", &group)
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("create consumer");
    consumer.subscribe(&[topic]).expect("subscribe");
    let deadline = Instant::now() + timeout;
    let mut records = Vec::with_capacity(count);
    while records.len() < count {
        assert!(
            Instant::now() < deadline,
            "read {} of {count} messages from {topic} within {timeout:?}",
            records.len()
        );
        if let Some(message) = consumer.poll(Duration::from_millis(200)) {
            let m = message.expect("consume");
            records.push(Record {
                partition: m.partition(),
                offset: m.offset(),
                key: m.key().unwrap_or_default().to_vec(),
                payload: m.payload().unwrap_or_default().to_vec(),
            });
        }
    }
    records
}
