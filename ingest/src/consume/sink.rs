//! The sink's steps against the consumer and the store: realign after a
//! rebalance, take a burst of records, accept one as the positions say,
//! commit closed batches (retried), and the progress line's detail.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use super::context::SinkContext;
use super::{BURST, COMMIT_ATTEMPTS, SinkOptions, SinkReport};
use crate::commit::{Recovery, commit, recover};
use crate::error::{Error, Result};
use crate::positions::{Batch, Positions, Step};
use crate::store::Store;

/// Where a closed batch goes: exactly once into the store's files, or
/// appended to one file (`--single-file`, at least once).
pub(super) enum Committer {
    ExactlyOnce,
    SingleFile(String),
}

pub(super) struct Sink<'a> {
    pub(super) store: &'a dyn Store,
    pub(super) opts: &'a SinkOptions,
    pub(super) consumer: &'a BaseConsumer<SinkContext>,
    /// The consumer's settings, for reading the topic back.
    pub(super) config: &'a ClientConfig,
    /// `(partition, next offset)` pairs already checked against the topic.
    pub(super) checked: std::collections::BTreeSet<(i32, i64)>,
    pub(super) committer: Committer,
    /// Positions and open batches: the pure part of the sink.
    pub(super) positions: Positions,
    pub(super) report: SinkReport,
    /// Records (and their bytes) taken into batches so far, committed or
    /// not: the progress of a drain before its first commit.
    pub(super) read: u64,
    pub(super) read_bytes: u64,
}

impl Sink<'_> {
    /// After a rebalance: the assignment starts every partition where the
    /// store ends, so open batches are dropped and read again.
    pub(super) fn realign(&mut self) -> Result<()> {
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

    /// The first offset the topic still has in `partition`, and the next
    /// one it will write.
    pub(super) fn watermarks(&self, partition: i32) -> Result<(i64, i64)> {
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
    pub(super) fn store_recovery(&self) -> Result<Recovery> {
        match self.opts.single_file {
            Some(_) => Ok(Recovery::default()),
            // Positions only: temporary files are cleaned by the partitions'
            // owner, in the rebalance handler.
            None => recover(self.store, &self.opts.topic, &[]),
        }
    }

    /// Whether the group has assigned this sink any partition yet.
    pub(super) fn has_assignment(&self) -> bool {
        self.consumer.assignment().is_ok_and(|tpl| tpl.count() > 0)
    }

    /// The first offset the topic still has in `partition`.
    pub(super) fn low_watermark(&self, partition: i32) -> Result<i64> {
        Ok(self.watermarks(partition)?.0)
    }

    pub(super) fn seek(&self, partition: i32, offset: i64) -> Result<()> {
        self.consumer
            .seek(
                &self.opts.topic,
                partition,
                Offset::Offset(offset),
                Duration::from_secs(10),
            )
            .map_err(|e| Error::kafka(format!("cannot seek partition {partition} to {offset}"), e))
    }

    pub(super) fn accept(
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
    pub(super) fn flush(&mut self, all: bool, now: Instant) -> Result<()> {
        for batch in self.positions.due(all, now) {
            self.commit_batch(batch)?;
        }
        Ok(())
    }

    /// Commits a closed batch, then notes its offset in the group.
    pub(super) fn commit_batch(&mut self, batch: Batch) -> Result<()> {
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
            // Another writer's batch, a store that cannot be, or a store
            // that refuses us: no retry can help.
            Err(e @ (Error::Conflict(_) | Error::Denied(_))) => return Err(e),
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

impl Sink<'_> {
    /// Warns of files in the store that are not the topic's batches (Hadoop
    /// reads them as job input all the same), and starts each partition's
    /// position where the store ends.
    pub(super) fn start(&mut self) -> Result<()> {
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
    pub(super) fn take_burst(&mut self, wait: Duration) -> Result<usize> {
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
    pub(super) fn progress(&self) -> String {
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
