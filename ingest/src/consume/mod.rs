//! The sink: records of a topic into a [`Store`], exactly once.
//!
//! The store decides where each partition resumes ([`crate::commit::recover`]);
//! which record to take, skip or seek back to, and when a batch closes, is
//! decided by the pure state machine of [`crate::positions`]; this module
//! carries it out against the consumer and the store. Closed batches go to
//! the store's files exactly once, or to one file with `--single-file`.
//! An idle topic still flushes what it has. Only then is the group offset committed,
//! as a hint for the next start. On a rebalance, open batches of partitions
//! that left are dropped (their records are read again by the next owner),
//! and positions are read again from the store.
//!
//! Here: the options, the consumer's set-up and the loop. The consumer's
//! context (rebalances, the lag) is in `context`, the sink's steps in
//! `sink`, and the check that the store belongs to the topic in `belongs`.

mod belongs;
mod context;
mod sink;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};

use crate::error::{Error, Result};
use crate::positions::{Limits, Positions};
use crate::stats::{Stats, StatsEvery};
use crate::store::Store;
use context::SinkContext;
use sink::{Committer, Sink};

/// Attempts at committing one batch before the sink gives up (waiting
/// 0.5, 1, 2 and 4 s between them).
pub(crate) const COMMIT_ATTEMPTS: u32 = 5;

/// How long one poll waits for a record when none is queued.
const POLL_WAIT: Duration = Duration::from_millis(100);

/// Records taken from the consumer's queue between two looks at the clock
/// (idle, batch age, progress).
pub(crate) const BURST: usize = 1024;

/// Consumer settings applied before the user's `-X` overrides. Since
/// librdkafka 2.4, a partition whose local queue holds more than
/// `queued.min.messages` (100,000) records has its next fetch postponed by
/// `fetch.queue.backoff.ms`, 1 s by default: a sink draining a topic then
/// waits most of the time. Measured on Apache Kafka (bench/notes.md), 10 ms
/// takes a 3 M-record drain from 16-19 s to about 3 s, near a bare consumer.
pub const CONSUMER_DEFAULTS: &[(&str, &str)] = &[("fetch.queue.backoff.ms", "10")];

/// Settings of a sink run.
#[derive(Clone, Debug)]
pub struct SinkOptions {
    pub brokers: String,
    pub topic: String,
    pub group: String,
    /// librdkafka properties (`-F`, `LOGMR_X_*`, `-X`); they win.
    pub properties: crate::properties::Properties,
    pub connect_timeout: Duration,
    pub max_records: usize,
    pub max_bytes: usize,
    pub interval: Duration,
    /// Put each file under `dt=YYYY-MM-DD/` by its records' Kafka
    /// timestamps (UTC); a batch ends where the date changes.
    pub date_partitioning: bool,
    pub gzip: bool,
    /// Append every batch to this one file instead, as the original
    /// consumer did. Positions then come from the group's offsets, and the
    /// guarantee is at least once: a crash between an append and the offset
    /// commit writes records again.
    pub single_file: Option<String>,
    /// Commit everything and stop once no record has come for this long.
    pub exit_when_idle: Option<Duration>,
    pub quiet: bool,
    /// Between progress lines when stderr is not a terminal.
    pub progress_every: Duration,
}

/// What a sink run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SinkReport {
    pub records: u64,
    pub bytes: u64,
    pub files: u64,
    pub skipped: u64,
}

/// The consumer's settings: the sink's, then [`CONSUMER_DEFAULTS`], then
/// the user's `-X` properties.
fn consumer_config(opts: &SinkOptions) -> Result<ClientConfig> {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &opts.brokers)
        .set("group.id", &opts.group)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest");
    for (k, v) in CONSUMER_DEFAULTS {
        config.set(*k, *v);
    }
    if !opts.quiet {
        // The lag of the progress line, from the consumer's statistics.
        let ms = opts.progress_every.as_millis().clamp(100, 1000);
        config.set("statistics.interval.ms", ms.to_string());
    }
    opts.properties.apply(&mut config);
    if config.get("group.id").is_none_or(|g| g.trim().is_empty()) {
        return Err(Error::Usage(
            "the consumer group (--group, or -X group.id) must not be empty".into(),
        ));
    }
    Ok(config)
}

/// A consumer subscribed to the topic, once the brokers have answered and
/// shown that the topic exists.
fn connect(
    opts: &SinkOptions,
    config: &ClientConfig,
    store: &Arc<dyn Store + Send + Sync>,
) -> Result<BaseConsumer<SinkContext>> {
    let context = SinkContext {
        store: Arc::clone(store),
        topic: opts.topic.clone(),
        store_positions: opts.single_file.is_none(),
        rebalanced: AtomicBool::new(false),
        recovered: Mutex::new(None),
        failure: Mutex::new(None),
        lag: Mutex::new(None),
    };
    let consumer: BaseConsumer<SinkContext> = config
        .create_with_context(context)
        .map_err(|e| Error::client("consumer", e))?;
    // A sink of a topic that is not there would wait for ever, or stop
    // idle having committed nothing, exit 0: neither tells the user.
    crate::kafka::existing_partitions(
        &consumer,
        &opts.brokers,
        &opts.topic,
        opts.connect_timeout,
        "create it first (logmr-gen creates it), then start the sink",
    )?;
    consumer
        .subscribe(&[&opts.topic])
        .map_err(|e| Error::kafka(format!("cannot subscribe to {}", opts.topic), e))?;
    Ok(consumer)
}

/// When a sink with `--exit-when-idle` has been idle long enough: no record
/// for that long, not counting the time spent waiting for the group to
/// assign partitions (up to `--connect-timeout`).
struct Idle {
    limit: Option<Duration>,
    joining_until: Instant,
    last_record: Instant,
}

impl Idle {
    fn new(opts: &SinkOptions, started: Instant) -> Idle {
        Idle {
            limit: opts.exit_when_idle,
            joining_until: started + opts.connect_timeout,
            last_record: started,
        }
    }

    /// How long a poll may wait: no longer than the idle limit has left,
    /// so that the sink stops when it is reached, not up to one wait later.
    fn poll_wait(&self) -> Duration {
        self.limit.map_or(POLL_WAIT, |idle| {
            idle.saturating_sub(self.last_record.elapsed())
                .min(POLL_WAIT)
        })
    }

    /// Notes a burst of `taken` records at `now`. Joining a group takes
    /// seconds on a stock broker (the first group creates
    /// __consumer_offsets; group.initial.rebalance.delay.ms is 3 s): a sink
    /// still waiting for partitions is not idle.
    fn saw(&mut self, taken: usize, assigned: impl FnOnce() -> bool, now: Instant) {
        if taken > 0 || (now < self.joining_until && !assigned()) {
            self.last_record = now;
        }
    }

    fn reached(&self, now: Instant) -> bool {
        self.limit
            .is_some_and(|idle| now.duration_since(self.last_record) >= idle)
    }
}

/// Runs the sink until `stop` is set, then flushes and returns.
pub fn run_sink(
    opts: &SinkOptions,
    store: Arc<dyn Store + Send + Sync>,
    stop: &Arc<AtomicBool>,
) -> Result<SinkReport> {
    let config = consumer_config(opts)?;
    let consumer = connect(opts, &config, &store)?;
    let limits = Limits {
        max_records: opts.max_records,
        max_bytes: opts.max_bytes,
        interval: opts.interval,
    };
    let mut sink = Sink {
        store: &*store,
        opts,
        consumer: &consumer,
        config: &config,
        checked: Default::default(),
        committer: match &opts.single_file {
            Some(file) => Committer::SingleFile(file.clone()),
            None => Committer::ExactlyOnce,
        },
        positions: Positions::new(limits, BTreeMap::new()),
        report: SinkReport::default(),
        read: 0,
        read_bytes: 0,
    };
    sink.start()?;
    let every = StatsEvery {
        plain: opts.progress_every,
        ..StatsEvery::default()
    };
    let mut stats = Stats::new("logmr-sink", opts.quiet, None, every);
    let mut idle = Idle::new(opts, Instant::now());
    while !stop.load(Ordering::Relaxed) {
        if let Some(refused) = Error::refused(&opts.brokers) {
            return Err(refused);
        }
        let taken = sink.take_burst(idle.poll_wait())?;
        let now = Instant::now();
        idle.saw(taken, || sink.has_assignment(), now);
        if idle.reached(now) {
            break;
        }
        sink.flush(false, now)?;
        stats.tick(sink.read, sink.read_bytes, || sink.progress());
    }
    stats.finish();
    sink.flush(true, Instant::now())?;
    let _ = consumer.commit_consumer_state(CommitMode::Sync);
    Ok(sink.report)
}
