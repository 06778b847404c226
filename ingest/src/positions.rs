//! The sink's position and batch logic, as a pure state machine: offsets
//! in, actions out. [`crate::consume`] feeds it the records the Kafka
//! consumer hands over and carries out what it answers (seek, read a low
//! watermark, commit a batch); the tests feed it simulated consumers that
//! deliver late, stale and repeated records.
//!
//! Per partition it knows the next offset to store. A record below it is
//! skipped (stored already); above it, the records between are read first
//! (seek back), unless the topic no longer has them (a gap, reported); at
//! it, the record joins the partition's open batch. Batches close at a
//! record count, a byte size, an age, or where the date directory changes.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// When a batch is committed.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_records: usize,
    pub max_bytes: usize,
    /// Age at which an open batch is committed even if not full.
    pub interval: Duration,
}

/// One partition's records `first..=last`, one a line, for one directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub partition: i32,
    pub first: i64,
    pub last: i64,
    pub records: usize,
    pub data: Vec<u8>,
    pub opened: Instant,
    /// `dt=YYYY-MM-DD` with date partitioning, else empty.
    pub dir: String,
}

/// What to do with an offered record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Stored already, or fetched before a seek that is underway: drop it.
    Skip,
    /// Records from this offset are not stored yet: seek the partition
    /// there, and drop this record (it comes again).
    Seek(i64),
    /// The records from this offset on may be gone from the topic: give
    /// the partition's low watermark to [`Positions::gap`], then offer the
    /// record again.
    CheckGap(i64),
    /// The next record to store: give it to [`Positions::take`].
    Take,
}

/// Where each partition is, and its open batch.
#[derive(Debug)]
pub struct Positions {
    limits: Limits,
    /// Next offset to store; absent while unknown (nothing stored and no
    /// record seen: the first record starts the partition).
    next: BTreeMap<i32, i64>,
    /// The offset each partition was last sought to.
    sought: BTreeMap<i32, i64>,
    /// The offset whose gap was last checked, per partition.
    checked: BTreeMap<i32, i64>,
    batches: BTreeMap<i32, Batch>,
}

impl Positions {
    /// Partitions resume at `next` (from the store).
    pub fn new(limits: Limits, next: BTreeMap<i32, i64>) -> Positions {
        Positions {
            limits,
            next,
            sought: BTreeMap::new(),
            checked: BTreeMap::new(),
            batches: BTreeMap::new(),
        }
    }

    /// After a rebalance: positions come from the store again, and open
    /// batches are dropped (their records are read again).
    pub fn realign(&mut self, next: BTreeMap<i32, i64>) {
        self.next = next;
        self.sought.clear();
        self.checked.clear();
        self.batches.clear();
    }

    /// The next offset to store in `partition`, when known.
    pub fn next(&self, partition: i32) -> Option<i64> {
        self.next.get(&partition).copied()
    }

    /// What to do with the record at `offset` of `partition`.
    pub fn step(&mut self, partition: i32, offset: i64) -> Step {
        let want = *self.next.entry(partition).or_insert(offset);
        if offset < want || (offset > want && self.sought.get(&partition) == Some(&want)) {
            return Step::Skip;
        }
        if offset == want {
            return Step::Take;
        }
        if self.checked.get(&partition) != Some(&want) {
            return Step::CheckGap(want);
        }
        self.sought.insert(partition, want);
        Step::Seek(want)
    }

    /// The partition's first offset still in the topic is `low`: when it
    /// is past the position, the records between are gone; returns them
    /// (`from..=to`) and moves on to `low`.
    pub fn gap(&mut self, partition: i32, low: i64) -> Option<(i64, i64)> {
        let want = *self.next.entry(partition).or_insert(low);
        let gone = (low > want).then(|| (want, low - 1));
        let now = want.max(low);
        self.next.insert(partition, now);
        self.checked.insert(partition, now);
        gone
    }

    /// Takes the record [`Positions::step`] answered [`Step::Take`] for.
    /// Returns the batches to commit now, oldest first: one that a new
    /// directory closed, and this one if it is full.
    pub fn take(
        &mut self,
        partition: i32,
        offset: i64,
        dir: String,
        payload: &[u8],
        now: Instant,
    ) -> Vec<Batch> {
        let mut ready = Vec::new();
        if self.batches.get(&partition).is_some_and(|b| b.dir != dir) {
            ready.extend(self.batches.remove(&partition));
        }
        let batch = self.batches.entry(partition).or_insert_with(|| Batch {
            partition,
            first: offset,
            last: offset,
            records: 0,
            data: Vec::with_capacity(64 * 1024),
            opened: now,
            dir,
        });
        batch.last = offset;
        batch.records += 1;
        batch.data.extend_from_slice(payload);
        batch.data.push(b'\n');
        let full =
            batch.records >= self.limits.max_records || batch.data.len() >= self.limits.max_bytes;
        self.next.insert(partition, offset + 1);
        if full {
            ready.extend(self.batches.remove(&partition));
        }
        ready
    }

    /// The open batches older than the interval at `now` (all of them with
    /// `all`), to commit; full ones were handed out as they filled.
    pub fn due(&mut self, all: bool, now: Instant) -> Vec<Batch> {
        let interval = self.limits.interval;
        let due: Vec<i32> = self
            .batches
            .iter()
            .filter(|(_, b)| all || now.duration_since(b.opened) >= interval)
            .map(|(p, _)| *p)
            .collect();
        due.into_iter()
            .filter_map(|p| self.batches.remove(&p))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn limits(max_records: usize) -> Limits {
        Limits {
            max_records,
            max_bytes: usize::MAX,
            interval: Duration::from_secs(60),
        }
    }

    #[test]
    fn the_next_record_is_taken_older_ones_skipped_newer_ones_sought() {
        let now = Instant::now();
        let mut p = Positions::new(limits(2), BTreeMap::from([(0, 10)]));
        assert_eq!(p.step(0, 9), Step::Skip);
        assert_eq!(p.step(0, 12), Step::CheckGap(10));
        assert_eq!(p.gap(0, 3), None);
        assert_eq!(p.step(0, 12), Step::Seek(10));
        // Fetched before the seek took effect: dropped, not sought again.
        assert_eq!(p.step(0, 13), Step::Skip);
        assert_eq!(p.step(0, 10), Step::Take);
        assert!(p.take(0, 10, String::new(), b"a", now).is_empty());
        assert_eq!(p.step(0, 11), Step::Take);
        let full = p.take(0, 11, String::new(), b"b", now);
        assert_eq!(full.len(), 1);
        assert_eq!((full[0].first, full[0].last), (10, 11));
        assert_eq!(full[0].data, b"a\nb\n");
        assert_eq!(p.next(0), Some(12));
    }

    #[test]
    fn records_the_topic_no_longer_has_are_a_reported_gap() {
        let mut p = Positions::new(limits(10), BTreeMap::from([(1, 5)]));
        assert_eq!(p.step(1, 20), Step::CheckGap(5));
        assert_eq!(p.gap(1, 20), Some((5, 19)));
        assert_eq!(p.step(1, 20), Step::Take);
    }

    #[test]
    fn a_new_directory_closes_the_batch_and_age_closes_the_rest() {
        let now = Instant::now();
        let mut p = Positions::new(limits(10), BTreeMap::new());
        assert_eq!(p.step(2, 0), Step::Take, "an unknown partition starts here");
        p.take(2, 0, "dt=2024-12-10".into(), b"x", now);
        let closed = p.take(2, 1, "dt=2024-12-11".into(), b"y", now);
        assert_eq!(closed.len(), 1);
        assert_eq!(
            (closed[0].last, closed[0].dir.as_str()),
            (0, "dt=2024-12-10")
        );
        assert!(p.due(false, now).is_empty());
        let old = p.due(false, now + Duration::from_secs(61));
        assert_eq!((old[0].first, old[0].dir.as_str()), (1, "dt=2024-12-11"));
        assert!(p.due(true, now).is_empty());
    }

    /// One partition's log as a simulated consumer serves it: records
    /// `low..high`, a fetch position, and records fetched ahead that are
    /// still handed over after a seek.
    #[derive(Debug)]
    struct Log {
        low: i64,
        high: i64,
        position: i64,
        queued: Vec<i64>,
    }

    #[derive(Clone, Debug)]
    enum Event {
        /// Deliver the next record of a partition (a queued one first).
        Deliver(usize),
        /// Fetch a few records ahead into the queue.
        Prefetch(usize, u8),
        /// A rebalance: the assignment starts the consumer where the store
        /// ends; records it had fetched before may still come first
        /// (false), or not (true).
        Rebalance(bool),
        /// A record delivered before comes again (a duplicate fetch).
        Replay(usize, i64),
        /// The interval passes.
        Tick,
    }

    fn event() -> impl Strategy<Value = Event> {
        prop_oneof![
            6 => (0..3usize).prop_map(Event::Deliver),
            2 => (0..3usize, 1..5u8).prop_map(|(p, n)| Event::Prefetch(p, n)),
            1 => any::<bool>().prop_map(Event::Rebalance),
            1 => (0..3usize, 0..60i64).prop_map(|(p, o)| Event::Replay(p, o)),
            1 => Just(Event::Tick),
        ]
    }

    /// What the store holds per partition: committed `(first, last)`.
    type Stored = BTreeMap<i32, Vec<(i64, i64)>>;

    fn store_next(stored: &Stored) -> BTreeMap<i32, i64> {
        stored
            .iter()
            .filter_map(|(p, files)| files.last().map(|(_, last)| (*p, last + 1)))
            .collect()
    }

    fn commit(stored: &mut Stored, batches: Vec<Batch>) {
        for b in batches {
            let text = String::from_utf8(b.data).unwrap();
            let offsets: Vec<i64> = text.lines().map(|l| l.parse().unwrap()).collect();
            assert_eq!(offsets, (b.first..=b.last).collect::<Vec<_>>(), "in order");
            stored
                .entry(b.partition)
                .or_default()
                .push((b.first, b.last));
        }
    }

    /// Offers `offset` of `partition` until the machine takes, skips or
    /// seeks; returns a seek target.
    fn offer(
        p: &mut Positions,
        logs: &[Log],
        stored: &mut Stored,
        partition: usize,
        offset: i64,
        now: Instant,
    ) -> Option<i64> {
        let part = partition as i32;
        loop {
            match p.step(part, offset) {
                Step::Skip => return None,
                Step::Seek(to) => return Some(to),
                Step::CheckGap(_) => {
                    p.gap(part, logs[partition].low);
                }
                Step::Take => {
                    let payload = offset.to_string();
                    let ready = p.take(part, offset, String::new(), payload.as_bytes(), now);
                    commit(stored, ready);
                    return None;
                }
            }
        }
    }

    proptest! {
        /// Whatever the consumer delivers, and whatever rebalances happen,
        /// the store ends up with every record the topic still has, from
        /// where it resumed, each exactly once and in order.
        #[test]
        fn every_record_is_stored_once_whatever_the_consumer_does(
            lows in proptest::collection::vec(0..5i64, 3),
            lens in proptest::collection::vec(0..40i64, 3),
            resume in proptest::collection::vec(proptest::option::of(0..10i64), 3),
            max_records in 1..7usize,
            events in proptest::collection::vec(event(), 0..300),
        ) {
            let now = Instant::now();
            let mut stored = Stored::new();
            for (i, r) in resume.iter().enumerate() {
                // A store resuming at or after the topic's start.
                if let Some(r) = r.filter(|&r| r > lows[i] && r <= lows[i] + lens[i]) {
                    stored.insert(i as i32, vec![(lows[i] - 1, r - 1)]);
                }
            }
            let start = |stored: &Stored, i: usize, low: i64| {
                store_next(stored).get(&(i as i32)).copied().unwrap_or(low)
            };
            let mut logs: Vec<Log> = (0..3)
                .map(|i| Log { low: lows[i], high: lows[i] + lens[i], position: 0, queued: vec![] })
                .collect();
            for (i, log) in logs.iter_mut().enumerate() {
                log.position = start(&stored, i, log.low);
            }
            let mut p = Positions::new(limits(max_records), store_next(&stored));
            let mut clock = now;
            let deliver = |p: &mut Positions, logs: &mut Vec<Log>, stored: &mut Stored, i: usize, clock: Instant| {
                let offset = if logs[i].queued.is_empty() {
                    if logs[i].position >= logs[i].high { return; }
                    logs[i].position += 1;
                    logs[i].position - 1
                } else {
                    logs[i].queued.remove(0)
                };
                if let Some(to) = offer(p, logs, stored, i, offset, clock) {
                    // The seek moves the fetch position; what was queued
                    // may still come (and must be dropped).
                    logs[i].position = to;
                }
            };
            for e in events {
                match e {
                    Event::Deliver(i) => deliver(&mut p, &mut logs, &mut stored, i, clock),
                    Event::Prefetch(i, n) => {
                        for _ in 0..n {
                            if logs[i].position < logs[i].high {
                                let at = logs[i].position;
                                logs[i].queued.push(at);
                                logs[i].position = at + 1;
                            }
                        }
                    }
                    Event::Rebalance(purged) => {
                        p.realign(store_next(&stored));
                        for (i, log) in logs.iter_mut().enumerate() {
                            if purged {
                                log.queued.clear();
                            }
                            log.position = start(&stored, i, log.low);
                        }
                    }
                    Event::Replay(i, o) => {
                        // Only what was delivered already comes again.
                        let delivered = logs[i].queued.first().copied().unwrap_or(logs[i].position);
                        let o = logs[i].low + o % (lens[i].max(1));
                        if o < delivered {
                            if let Some(to) = offer(&mut p, &logs, &mut stored, i, o, clock) {
                                logs[i].position = to;
                            }
                        }
                    }
                    Event::Tick => {
                        clock += Duration::from_secs(61);
                        commit(&mut stored, p.due(false, clock));
                    }
                }
            }
            // Drain: deliver until every log is read, then commit the rest.
            for i in 0..3 {
                let mut turns = 0;
                while logs[i].position < logs[i].high || !logs[i].queued.is_empty() {
                    deliver(&mut p, &mut logs, &mut stored, i, clock);
                    turns += 1;
                    prop_assert!(turns < 1000, "partition {} never drains", i);
                }
            }
            commit(&mut stored, p.due(true, clock));
            for (i, log) in logs.iter().enumerate() {
                let files = stored.get(&(i as i32)).cloned().unwrap_or_default();
                let start = files.first().map_or(log.low, |f| f.0);
                let mut expect = start;
                for (first, last) in &files {
                    prop_assert_eq!(*first, expect, "partition {}: {:?}", i, files);
                    expect = last + 1;
                }
                prop_assert_eq!(expect, log.high.max(start), "partition {}: {:?}", i, files);
            }
        }
    }
}
