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

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::client::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, RebalanceProtocol};
use rdkafka::message::Message;
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{Offset, TopicPartitionList};

use crate::commit::{Recovery, commit, recover};
use crate::error::{Error, Result};
use crate::positions::{Batch, Limits, Positions, Step};
use crate::probe::first_records;
use crate::stats::{Stats, StatsEvery};
use crate::store::Store;

/// Attempts at committing one batch before the sink gives up (waiting
/// 0.5, 1, 2 and 4 s between them).
const COMMIT_ATTEMPTS: u32 = 5;

/// How long one poll waits for a record when none is queued.
const POLL_WAIT: Duration = Duration::from_millis(100);

/// Records taken from the consumer's queue between two looks at the clock
/// (idle, batch age, progress).
const BURST: usize = 1024;

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
    /// librdkafka properties, as given with `-X key=value`; they win.
    pub properties: Vec<(String, String)>,
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

/// Starts every assigned partition where the store ends, and notes
/// rebalances for the loop, which acts on them between polls.
struct SinkContext {
    store: Arc<dyn Store + Send + Sync>,
    topic: String,
    /// Start assigned partitions where the store ends (false in
    /// single-file mode, where the group's offsets decide).
    store_positions: bool,
    rebalanced: AtomicBool,
    /// The store as the last assignment read it, for the loop to realign
    /// to without listing the store again.
    recovered: Mutex<Option<Recovery>>,
    /// A store that could not be read, or refused, during a rebalance; fatal.
    failure: Mutex<Option<Error>>,
    /// The lag over the assigned partitions, or why it is unknown, from
    /// the consumer's own statistics (`None` before the first): the
    /// progress line reads it without asking the brokers anything.
    lag: Mutex<Option<std::result::Result<i64, String>>>,
}

impl ClientContext for SinkContext {
    fn stats(&self, statistics: rdkafka::statistics::Statistics) {
        let lag = lag_of(&statistics, &self.topic);
        *self.lag.lock().unwrap_or_else(|p| p.into_inner()) = Some(lag);
    }
}

/// Records not yet read in the assigned partitions of `topic`, from
/// librdkafka's statistics (the partition's end less the position; its own
/// `consumer_lag` counts from the committed offset, which the sink commits
/// only as a hint), or why
/// that is unknown: no partition assigned, a position not known yet, or a
/// partition's leader that does not answer.
fn lag_of(
    statistics: &rdkafka::statistics::Statistics,
    topic: &str,
) -> std::result::Result<i64, String> {
    let mut partitions: Vec<_> = statistics
        .topics
        .get(topic)
        .map(|t| {
            t.partitions
                .values()
                .filter(|p| p.partition >= 0 && p.desired)
                .collect()
        })
        .unwrap_or_default();
    if partitions.is_empty() {
        return Err("no partition assigned".into());
    }
    partitions.sort_by_key(|p| p.partition);
    let mut lag = 0;
    for p in partitions {
        let leader_up = statistics
            .brokers
            .values()
            .any(|b| b.nodeid == p.leader && b.state == "UP");
        if !leader_up {
            return Err(format!(
                "the leader of partition {} does not answer",
                p.partition
            ));
        }
        // The partition's end for this consumer (the last stable offset
        // under read_committed, librdkafka's default) less its position:
        // the next offset to hand out, or to fetch before anything was.
        let end = if p.ls_offset >= 0 {
            p.ls_offset
        } else {
            p.hi_offset
        };
        let position = if p.app_offset >= 0 {
            p.app_offset
        } else {
            p.next_offset
        };
        if end < 0 || position < 0 {
            return Err(format!("no position yet in partition {}", p.partition));
        }
        lag += (end - position).max(0);
    }
    Ok(lag)
}

impl SinkContext {
    fn fail(&self, error: Error) {
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(error);
    }

    /// Sets each partition of `tpl` to start where the store ends (after
    /// its last committed file, or at the beginning of the log), never at
    /// the group's offset: the store is the source of truth.
    fn start_where_the_store_ends(&self, tpl: &mut TopicPartitionList) -> Result<()> {
        let assigned: Vec<i32> = tpl
            .elements_for_topic(&self.topic)
            .iter()
            .map(|e| e.partition())
            .collect();
        let recovery = recover(&*self.store, &self.topic, &assigned)?;
        for &partition in &assigned {
            let start = recovery
                .next
                .get(&partition)
                .map_or(Offset::Beginning, |&n| Offset::Offset(n));
            let _ = tpl.set_partition_offset(&self.topic, partition, start);
        }
        *self.recovered.lock().unwrap_or_else(|p| p.into_inner()) = Some(recovery);
        Ok(())
    }
}

impl ConsumerContext for SinkContext {
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        let cooperative = matches!(
            consumer.rebalance_protocol(),
            RebalanceProtocol::Cooperative
        );
        let result = if err == RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
            if self.store_positions
                && let Err(e) = self.start_where_the_store_ends(tpl)
            {
                self.fail(e);
            }
            if cooperative {
                consumer.incremental_assign(tpl)
            } else {
                consumer.assign(tpl)
            }
        } else if cooperative {
            consumer.incremental_unassign(tpl)
        } else {
            consumer.unassign()
        };
        if let Err(e) = result {
            self.fail(Error::kafka("cannot take the assignment", e));
        }
        self.rebalanced.store(true, Ordering::Release);
    }
}

/// Where a closed batch goes: exactly once into the store's files, or
/// appended to one file (`--single-file`, at least once).
enum Committer {
    ExactlyOnce,
    SingleFile(String),
}

struct Sink<'a> {
    store: &'a dyn Store,
    opts: &'a SinkOptions,
    consumer: &'a BaseConsumer<SinkContext>,
    /// The consumer's settings, for reading the topic back.
    config: &'a ClientConfig,
    /// `(partition, next offset)` pairs already checked against the topic.
    checked: std::collections::BTreeSet<(i32, i64)>,
    committer: Committer,
    /// Positions and open batches: the pure part of the sink.
    positions: Positions,
    report: SinkReport,
    /// Records (and their bytes) taken into batches so far, committed or
    /// not: the progress of a drain before its first commit.
    read: u64,
    read_bytes: u64,
}

impl Sink<'_> {
    /// After a rebalance: the assignment starts every partition where the
    /// store ends, so open batches are dropped and read again.
    fn realign(&mut self) -> Result<()> {
        if let Some(failure) = self
            .consumer
            .context()
            .failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            return Err(failure);
        }
        let recovered = self
            .consumer
            .context()
            .recovered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let recovery = match recovered {
            Some(recovery) => recovery,
            None => self.store_recovery()?,
        };
        self.positions.realign(recovery.next.clone());
        if self.opts.single_file.is_none() {
            self.check_against_topic(&recovery)?;
        }
        Ok(())
    }

    /// Refuses a store that does not belong to the topic, in each assigned
    /// partition that it holds, before anything is written:
    /// - ahead of the topic: its files claim offsets the topic never had;
    /// - another topic under the same name: the record the topic holds at
    ///   the store's last offset is not the line stored there (the topic
    ///   was deleted and made again, longer than before, or the brokers are
    ///   another cluster);
    /// - a gap that the topic can fill: offsets missing between two files
    ///   while the topic still holds records there (a file not written by
    ///   this sink). Gaps where the topic holds none (retention, compaction,
    ///   transaction markers) are the topic's own.
    ///
    /// Reading on would store nothing, or skip records, while saying all is
    /// well.
    fn check_against_topic(&mut self, recovery: &Recovery) -> Result<()> {
        let assignment = self
            .consumer
            .assignment()
            .map_err(|e| Error::kafka("cannot read the assignment", e))?;
        let topic = &self.opts.topic;
        let mut ends = Vec::new();
        let mut gaps = Vec::new();
        let mut checking = Vec::new();
        for elem in assignment.elements_for_topic(topic) {
            let partition = elem.partition();
            let Some(next) = self.positions.next(partition) else {
                continue;
            };
            let (low, high) = self.watermarks(partition)?;
            if next > high {
                let file = recovery
                    .last_file
                    .get(&partition)
                    .map_or("", String::as_str);
                return Err(Error::Conflict(format!(
                    "the store {} is ahead of the topic: it holds {topic} partition {partition} up \
                     to offset {} ({file}), but the topic's partition ends before offset {high}. \
                     Was the topic deleted and created again, or are these other brokers? Nothing \
                     was written; move the topic's files out of the store (or give a new --store) \
                     to start it again",
                    self.store.describe(),
                    next - 1,
                )));
            }
            if self.checked.contains(&(partition, next)) {
                continue;
            }
            checking.push((partition, next));
            if next > low {
                ends.push((partition, next - 1));
            }
            gaps.extend(
                recovery
                    .gaps
                    .iter()
                    .filter(|g| g.partition == partition && g.to >= low)
                    .map(|g| (g, g.from.max(low))),
            );
        }
        let timeout = self.opts.connect_timeout;
        let found = first_records(self.config, topic, &ends, timeout)?;
        for (partition, last) in ends {
            let file = recovery
                .last_file
                .get(&partition)
                .map_or("", String::as_str);
            match found.get(&partition) {
                Some(Some(record)) if record.offset == last => {
                    if !stored_last(self.store, file)?
                        .ends_with(&[&record.payload[..], b"\n"].concat())
                    {
                        return Err(Error::Conflict(format!(
                            "the store {} does not belong to this topic: its last record of {topic} \
                             partition {partition} (offset {last}, in {file}) is not the record the \
                             topic holds at that offset. Was the topic deleted and created again, or \
                             are these other brokers? Nothing was written; move the topic's files out \
                             of the store (or give a new --store) to start it again",
                            self.store.describe(),
                        )));
                    }
                }
                _ => eprintln!(
                    "logmr-sink: warning: partition {partition}: the topic no longer holds offset \
                     {last}, where the store ends ({file}), as a record (compacted, or a transaction \
                     marker), so the store's last record could not be compared with the topic"
                ),
            }
        }
        for (gap, from) in gaps {
            let found = first_records(self.config, topic, &[(gap.partition, from)], timeout)?;
            if let Some(Some(record)) = found.get(&gap.partition)
                && record.offset <= gap.to
            {
                return Err(Error::Conflict(format!(
                    "the store {} lacks offsets {}..{} of {topic} partition {}, which the topic \
                     still holds (offset {} for one), and goes on after them with {}, a file this \
                     sink would not have written there. Nothing was written; remove that file, and \
                     any after it, so that the sink stores the missing records",
                    self.store.describe(),
                    gap.from,
                    gap.to,
                    gap.partition,
                    record.offset,
                    gap.after,
                )));
            }
        }
        self.checked.extend(checking);
        Ok(())
    }

    /// The first offset the topic still has in `partition`, and the next
    /// one it will write.
    fn watermarks(&self, partition: i32) -> Result<(i64, i64)> {
        self.consumer
            .fetch_watermarks(&self.opts.topic, partition, Duration::from_secs(10))
            .map_err(|e| {
                Error::kafka(
                    format!("cannot read the offsets of partition {partition}"),
                    e,
                )
            })
    }

    /// Where each partition resumes: after the store's last file, or (in
    /// single-file mode, an empty recovery) wherever the group's offsets say.
    fn store_recovery(&self) -> Result<Recovery> {
        match self.opts.single_file {
            Some(_) => Ok(Recovery::default()),
            // Positions only: temporary files are cleaned by the partitions'
            // owner, in the rebalance handler.
            None => recover(self.store, &self.opts.topic, &[]),
        }
    }

    /// Whether the group has assigned this sink any partition yet.
    fn has_assignment(&self) -> bool {
        self.consumer.assignment().is_ok_and(|tpl| tpl.count() > 0)
    }

    /// The first offset the topic still has in `partition`.
    fn low_watermark(&self, partition: i32) -> Result<i64> {
        Ok(self.watermarks(partition)?.0)
    }

    fn seek(&self, partition: i32, offset: i64) -> Result<()> {
        self.consumer
            .seek(
                &self.opts.topic,
                partition,
                Offset::Offset(offset),
                Duration::from_secs(10),
            )
            .map_err(|e| Error::kafka(format!("cannot seek partition {partition} to {offset}"), e))
    }

    fn accept(
        &mut self,
        partition: i32,
        offset: i64,
        timestamp_ms: Option<i64>,
        payload: &[u8],
        now: Instant,
    ) -> Result<()> {
        loop {
            match self.positions.step(partition, offset) {
                Step::Skip => {
                    self.report.skipped += 1;
                    return Ok(());
                }
                // Messages fetched before the seek are dropped until then.
                Step::Seek(to) => return self.seek(partition, to),
                Step::CheckGap(_) => {
                    let low = self.low_watermark(partition)?;
                    if let Some((from, to)) = self.positions.gap(partition, low) {
                        eprintln!(
                            "logmr-sink: warning: partition {partition}: offsets {from}..{to} are no longer in the topic"
                        );
                    }
                }
                Step::Take => break,
            }
        }
        let dir = if self.opts.date_partitioning {
            let c = logmr::civil::civil(timestamp_ms.unwrap_or(0));
            format!("dt={:04}-{:02}-{:02}", c.year, c.month, c.day)
        } else {
            String::new()
        };
        self.read += 1;
        self.read_bytes += payload.len() as u64 + 1;
        let ready = self.positions.take(partition, offset, dir, payload, now);
        for batch in ready {
            self.commit_batch(batch)?;
        }
        Ok(())
    }

    /// Commits the batches that are older than `--interval` at `now` (all
    /// of them when `all`); full ones were committed as they filled.
    fn flush(&mut self, all: bool, now: Instant) -> Result<()> {
        for batch in self.positions.due(all, now) {
            self.commit_batch(batch)?;
        }
        Ok(())
    }

    /// Commits a closed batch, then notes its offset in the group.
    fn commit_batch(&mut self, batch: Batch) -> Result<()> {
        let topic = &self.opts.topic;
        let partition = batch.partition;
        let mut offsets = TopicPartitionList::new();
        offsets
            .add_partition_offset(topic, partition, Offset::Offset(batch.last + 1))
            .map_err(|e| Error::kafka("cannot note an offset", e))?;
        match &self.committer {
            Committer::SingleFile(file) => {
                self.store.append(file, &batch.data)?;
                self.report.records += batch.records as u64;
                self.report.bytes += batch.data.len() as u64;
                // Here the offsets are the only position: commit them at once.
                self.consumer
                    .commit(&offsets, CommitMode::Sync)
                    .map_err(|e| Error::kafka("cannot commit offsets", e))
            }
            Committer::ExactlyOnce => {
                commit_with_retries(self.store, topic, &batch, self.opts.gzip)?;
                self.report.records += batch.records as u64;
                self.report.bytes += batch.data.len() as u64;
                self.report.files += 1;
                // The offsets are a hint only; the store is the truth. A
                // failure to commit them costs a re-read on the next start,
                // never data.
                let _ = self.consumer.commit(&offsets, CommitMode::Async);
                Ok(())
            }
        }
    }
}

/// The bytes of a committed file, gunzipped when its name says so.
fn stored_last(store: &dyn Store, path: &str) -> Result<Vec<u8>> {
    let data = store.read(path)?;
    if !path.ends_with(".gz") {
        return Ok(data);
    }
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&data[..]), &mut text)
        .map_err(|e| Error::io(format!("cannot decompress {path}"), e))?;
    Ok(text)
}

/// Commits `batch` into the store's files. A store fault may pass (a
/// NameNode fail-over, a busy disk): it is retried with backoff before the
/// sink gives up; the protocol makes a retry safe. A conflict is not.
fn commit_with_retries(store: &dyn Store, topic: &str, batch: &Batch, gzip: bool) -> Result<()> {
    let mut backoff = Duration::from_millis(500);
    let mut attempt = 0;
    loop {
        attempt += 1;
        match commit(store, topic, batch, gzip) {
            Ok(_) => return Ok(()),
            // Another writer's batch, or a store that cannot be: no retry
            // can help.
            Err(e @ Error::Conflict(_)) => return Err(e),
            Err(e) if attempt < COMMIT_ATTEMPTS => {
                eprintln!(
                    "logmr-sink: warning: {e}; retrying in {:.1} s",
                    backoff.as_secs_f64()
                );
                std::thread::sleep(backoff);
                backoff *= 2;
            }
            Err(e) => return Err(e),
        }
    }
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
    for (k, v) in &opts.properties {
        config.set(k, v);
    }
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
    let metadata = consumer
        .fetch_metadata(Some(&opts.topic), opts.connect_timeout)
        .map_err(|e| Error::Unreachable {
            brokers: opts.brokers.clone(),
            detail: format!("{e} (within {} s)", opts.connect_timeout.as_secs()),
        })?;
    // A sink of a topic that is not there would wait for ever, or stop
    // idle having committed nothing, exit 0: neither tells the user.
    if crate::kafka::partitions_of(&metadata, &opts.topic).is_none() {
        return Err(Error::MissingTopic {
            topic: opts.topic.clone(),
            brokers: opts.brokers.clone(),
            hint: "create it first (logmr-gen creates it), then start the sink",
        });
    }
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

impl Sink<'_> {
    /// Warns of files in the store that are not the topic's batches (Hadoop
    /// reads them as job input all the same), and starts each partition's
    /// position where the store ends.
    fn start(&mut self) -> Result<()> {
        let recovery = self.store_recovery()?;
        if self.opts.single_file.is_none() && !recovery.foreign.is_empty() {
            let shown: Vec<&str> = recovery
                .foreign
                .iter()
                .take(5)
                .map(String::as_str)
                .collect();
            eprintln!(
                "logmr-sink: warning: the store {} holds {} file(s) that are not {}'s batches \
                 ({}{}); Hadoop reads them as job input all the same: move them out of the store",
                self.store.describe(),
                recovery.foreign.len(),
                self.opts.topic,
                shown.join(", "),
                if recovery.foreign.len() > shown.len() {
                    ", …"
                } else {
                    ""
                }
            );
        }
        self.positions.realign(recovery.next);
        Ok(())
    }

    /// Takes what the consumer has queued, up to [`BURST`] records, waiting
    /// at most `wait` for the first; returns how many were taken. The clock
    /// is read once per burst, when its first record comes (a batch's age
    /// counts from there): reading it for every record was 9% of the sink's
    /// profile, more than copying the records.
    fn take_burst(&mut self, wait: Duration) -> Result<usize> {
        let mut taken = 0;
        let mut clock = None;
        let mut timeout = wait;
        while taken < BURST {
            let message = self.consumer.poll(timeout);
            timeout = Duration::ZERO;
            // A rebalance happens inside poll; act on it before the
            // record, which may belong to a partition just assigned.
            if self
                .consumer
                .context()
                .rebalanced
                .swap(false, Ordering::AcqRel)
            {
                self.realign()?;
            }
            match message {
                Some(Ok(m)) => {
                    taken += 1;
                    let timestamp = m.timestamp().to_millis();
                    let payload = m.payload().unwrap_or_default();
                    let now = *clock.get_or_insert_with(Instant::now);
                    self.accept(m.partition(), m.offset(), timestamp, payload, now)?;
                }
                Some(Err(e)) => {
                    eprintln!("logmr-sink: warning: {e}");
                    break;
                }
                None => break,
            }
        }
        Ok(taken)
    }

    /// The progress line's detail: what was committed and skipped, and the
    /// lag from the consumer's statistics.
    fn progress(&self) -> String {
        let lag = match &*self
            .consumer
            .context()
            .lag
            .lock()
            .unwrap_or_else(|p| p.into_inner())
        {
            Some(Ok(lag)) => lag.to_string(),
            Some(Err(why)) => format!("unknown ({why})"),
            None => "unknown (no statistics yet)".to_string(),
        };
        let report = &self.report;
        format!(
            "{} committed in {} files, {} skipped, lag {lag}",
            report.records, report.files, report.skipped
        )
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
