//! Exactly-once commits of record batches into a [`Store`], and recovery.
//!
//! A batch of one partition's records `first..=last` is written to a
//! temporary file whose name starts with `_` (Hadoop's input globs skip it),
//! made durable, then renamed without overwriting to its final name
//! `TOPIC+PARTITION+FIRST+LAST.log`. The final names are the source of
//! truth: on start, each partition resumes after the highest `LAST`, and
//! leftover temporary files are deleted. Kafka's group offsets are only a
//! hint. A crash at any point leaves either no final file (the batch is
//! read and written again) or a complete one (the batch is skipped).
//!
//! One writer per partition and store is checked at commit time: just
//! before a batch is published, the store must not hold any of its offsets
//! yet, and just after, no other file may overlap it. A second writer (a
//! sink of another group, or a member that lost the partition) is refused
//! with [`Error::Conflict`] before it publishes; two writers publishing in
//! the same instant both stop, and the overlap is named.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};
use crate::positions::Batch;
use crate::store::Store;

/// Prefix of temporary files.
pub const TEMP_PREFIX: &str = "_tmp.";

/// A committed batch, read back from its file name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committed {
    pub partition: i32,
    pub first: i64,
    pub last: i64,
    pub path: String,
}

/// The final name of a batch.
pub fn final_name(topic: &str, partition: i32, first: i64, last: i64) -> String {
    format!("{topic}+{partition}+{first:012}+{last:012}.log")
}

/// Reads a final name back; `None` for other files.
pub fn parse_final(path: &str, topic: &str) -> Option<Committed> {
    parse_batch(path)
        .filter(|(of, _)| *of == topic)
        .map(|(_, batch)| batch)
}

/// Reads a final name back, of any topic: the topic (Kafka's topic names
/// hold no `+`) and the batch; `None` for other files.
fn parse_batch(path: &str) -> Option<(&str, Committed)> {
    let name = path.rsplit('/').next()?;
    let (topic, rest) = name.split_once('+')?;
    let rest = rest
        .strip_suffix(".log.gz")
        .or_else(|| rest.strip_suffix(".log"))?;
    let mut parts = rest.split('+');
    let partition: i32 = parts.next()?.parse().ok()?;
    let first: i64 = parts.next()?.parse().ok()?;
    let last: i64 = parts.next()?.parse().ok()?;
    (!topic.is_empty() && parts.next().is_none() && partition >= 0 && 0 <= first && first <= last)
        .then(|| {
            (
                topic,
                Committed {
                    partition,
                    first,
                    last,
                    path: path.to_string(),
                },
            )
        })
}

/// What [`recover`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// The next offset to write, per partition that has committed files.
    pub next: BTreeMap<i32, i64>,
    /// The path of each partition's last committed file, for messages.
    pub last_file: BTreeMap<i32, String>,
    pub files: usize,
    pub temps_removed: usize,
    /// Offsets missing between two committed batches of a partition. The
    /// sink checks each against the topic: a gap is allowed only where the
    /// topic holds no record (retention, compaction, transaction markers).
    pub gaps: Vec<Gap>,
    /// Files in the store that are neither the topic's batches nor
    /// temporary files: Hadoop reads them as job input all the same.
    pub foreign: Vec<String>,
}

/// Offsets `from..=to` of `partition` that no committed file holds, with
/// the file that resumes after them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    pub partition: i32,
    pub from: i64,
    pub to: i64,
    pub after: String,
}

/// Reads every partition's position from the committed files, and deletes
/// the leftover temporary files of the partitions in `owned`. Only the
/// owner of a partition may delete its temporary files: another sink in the
/// group may be writing one for a partition it owns.
pub fn recover(store: &dyn Store, topic: &str, owned: &[i32]) -> Result<Recovery> {
    let mut recovery = Recovery::default();
    let mut by_partition: BTreeMap<i32, Vec<Committed>> = BTreeMap::new();
    for entry in store.list()? {
        let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
        if let Some(partition) = temp_partition(name, topic) {
            if owned.contains(&partition) {
                store.delete(&entry.path)?;
                recovery.temps_removed += 1;
            }
        } else if let Some(c) = parse_final(&entry.path, topic) {
            by_partition.entry(c.partition).or_default().push(c);
        } else if !entry.path.split('/').any(|c| c.starts_with(['_', '.']))
            && parse_batch(&entry.path).is_none()
        {
            // Neither a batch (another topic's is no stranger here) nor
            // skipped by Hadoop's input listing: names starting with `_`
            // or `.` (temporary files among them), and what lies inside
            // such directories.
            recovery.foreign.push(entry.path.clone());
        }
    }
    for (partition, mut files) in by_partition {
        files.sort_by_key(|c| c.first);
        for pair in files.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if b.first <= a.last {
                return Err(Error::Conflict(format!(
                    "{} and {} overlap in {}: the store holds some records twice; remove one of them",
                    a.path,
                    b.path,
                    store.describe()
                )));
            }
            if b.first > a.last + 1 {
                recovery.gaps.push(Gap {
                    partition,
                    from: a.last + 1,
                    to: b.first - 1,
                    after: b.path.clone(),
                });
            }
        }
        recovery.files += files.len();
        let Some(last) = files.last() else { continue };
        let next = last.last.checked_add(1).ok_or_else(|| {
            Error::Conflict(format!(
                "{} in {} claims the largest offset there is: it cannot be a batch of the topic",
                last.path,
                store.describe()
            ))
        })?;
        recovery.next.insert(partition, next);
        recovery.last_file.insert(partition, last.path.clone());
    }
    Ok(recovery)
}

/// The partition of one of `topic`'s temporary files.
fn temp_partition(name: &str, topic: &str) -> Option<i32> {
    let rest = name
        .strip_prefix(TEMP_PREFIX)?
        .strip_prefix(topic)?
        .strip_prefix('+')?;
    rest.split('+').next()?.parse().ok()
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Commits one closed batch, the records `first..=last` of its partition
/// one a line, under its directory (`dt=…`, or none), gzipped when `gzipped`.
/// Returns the final path. Fails without publishing anything if that file
/// exists already.
pub fn commit(store: &dyn Store, topic: &str, batch: &Batch, gzipped: bool) -> Result<String> {
    let Batch {
        partition,
        first,
        last,
        ref data,
        ref dir,
        ..
    } = *batch;
    let temp = format!(
        "{TEMP_PREFIX}{topic}+{partition}+{first:012}.{}.{}.log",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut final_path = final_name(topic, partition, first, last);
    if gzipped {
        final_path.push_str(".gz");
    }
    if !dir.is_empty() {
        final_path = format!("{dir}/{final_path}");
    }
    let compressed;
    let bytes = if gzipped {
        compressed = gzip(data).map_err(|e| Error::io("cannot compress a batch", e))?;
        &compressed[..]
    } else {
        &data[..]
    };
    let result = (|| {
        let mut writer = store.create(&temp)?;
        writer.write(bytes)?;
        writer.close()?;
        // Checked as late as possible, so that the window in which another
        // writer can slip in is one listing and one rename long.
        if let Some(other) = overlapping(store, topic, partition, first, last, None)? {
            return Err(another_writer(store, topic, partition, first, last, &other));
        }
        store.rename(&temp, &final_path)
    })();
    if let Err(e) = result {
        let _ = store.delete(&temp);
        return Err(e);
    }
    if let Some(other) = overlapping(store, topic, partition, first, last, Some(&final_path))? {
        return Err(another_writer(store, topic, partition, first, last, &other));
    }
    Ok(final_path)
}

/// A committed file of `partition` other than `except` holding any of the
/// offsets `first..=last`.
fn overlapping(
    store: &dyn Store,
    topic: &str,
    partition: i32,
    first: i64,
    last: i64,
    except: Option<&str>,
) -> Result<Option<String>> {
    Ok(store
        .list()?
        .into_iter()
        .filter(|e| Some(e.path.as_str()) != except)
        .filter_map(|e| parse_final(&e.path, topic))
        .find(|c| c.partition == partition && c.first <= last && first <= c.last)
        .map(|c| c.path))
}

fn another_writer(
    store: &dyn Store,
    topic: &str,
    partition: i32,
    first: i64,
    last: i64,
    other: &str,
) -> Error {
    Error::Conflict(format!(
        "another writer stored offsets of {topic} partition {partition} that this batch \
         ({first}..={last}) holds, in {other} in {}: two sinks (of two groups, or a member \
         that lost the partition) write this store; this one stops",
        store.describe()
    ))
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data)?;
    encoder.finish()
}

/// The commit protocol's guarantees, checked on an empty store.
#[cfg(any(test, feature = "contract"))]
pub mod contract {
    use super::*;

    /// A closed batch of `partition`'s records `first..=last`, under `dir`.
    fn batch(partition: i32, first: i64, last: i64, data: &[u8], dir: &str) -> Batch {
        Batch {
            partition,
            first,
            last,
            records: data.iter().filter(|&&b| b == b'\n').count(),
            data: data.to_vec(),
            opened: std::time::Instant::now(),
            dir: dir.into(),
        }
    }

    /// Commits a plain batch of `partition`'s records `first..=last`.
    fn commit_plain(
        s: &dyn Store,
        topic: &str,
        partition: i32,
        first: i64,
        last: i64,
        data: &[u8],
    ) -> Result<String> {
        commit(s, topic, &batch(partition, first, last, data, ""), false)
    }

    pub fn check(s: &dyn Store) {
        commit_plain(s, "t", 0, 0, 9, b"x\n").unwrap();
        let path = commit(s, "t", &batch(0, 10, 19, b"y\n", "dt=2024-12-10"), true).unwrap();
        assert_eq!(path, "dt=2024-12-10/t+0+000000000010+000000000019.log.gz");
        let mut unzipped = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&s.read(&path).unwrap()[..]),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(unzipped, "y\n");
        commit_plain(s, "t", 2, 5, 5, b"x\n").unwrap();
        commit_plain(s, "other", 0, 0, 99, b"x\n").unwrap();
        s.create("_tmp.t+0+000000000020.1.1.log")
            .unwrap()
            .close()
            .unwrap();
        // Another owner's temporary file is left alone.
        let r = recover(s, "t", &[1, 2]).unwrap();
        assert_eq!(r.temps_removed, 0);
        assert!(
            s.list()
                .unwrap()
                .iter()
                .any(|e| e.path.starts_with("_tmp.t+0+"))
        );
        let r = recover(s, "t", &[0]).unwrap();
        assert_eq!(r.next, BTreeMap::from([(0, 20), (2, 6)]));
        assert_eq!((r.files, r.temps_removed), (3, 1));
        assert!(r.gaps.is_empty());
        assert!(
            s.list()
                .unwrap()
                .iter()
                .all(|e| !e.path.starts_with(TEMP_PREFIX))
        );

        commit_plain(s, "t", 0, 25, 30, b"x\n").unwrap();
        assert_eq!(
            recover(s, "t", &[]).unwrap().gaps,
            vec![Gap {
                partition: 0,
                from: 20,
                to: 24,
                after: final_name("t", 0, 25, 30),
            }]
        );

        // The same batch twice: refused, the first kept, nothing left over.
        commit_plain(s, "t", 1, 0, 9, b"a\n").unwrap();
        let err = commit_plain(s, "t", 1, 0, 9, b"b\n").unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{err}");
        assert_eq!(s.read(&final_name("t", 1, 0, 9)).unwrap(), b"a\n");
        assert!(
            s.list()
                .unwrap()
                .iter()
                .all(|e| !e.path.starts_with(TEMP_PREFIX))
        );
        // A batch overlapping a committed one is refused at commit time
        // (another writer got there first), and leaves nothing behind.
        let err = commit_plain(s, "t", 1, 5, 12, b"c\n").unwrap_err();
        assert!(err.to_string().contains("another writer"), "{err}");
        assert!(
            s.list()
                .unwrap()
                .iter()
                .all(|e| !e.path.starts_with(TEMP_PREFIX) && !e.path.contains("+5+"))
        );
        // Overlapping files that got in anyway are reported by recovery.
        let mut w = s.create("_x").unwrap();
        w.write(b"c\n").unwrap();
        w.close().unwrap();
        s.rename("_x", &final_name("t", 1, 5, 12)).unwrap();
        let err = recover(s, "t", &[]).unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{err}");
        assert!(err.to_string().contains("overlap"), "{err}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LocalStore;

    #[test]
    fn names_round_trip() {
        let name = final_name("logs_machine", 3, 123, 456);
        assert_eq!(name, "logs_machine+3+000000000123+000000000456.log");
        let c = parse_final(&format!("dt=2024-12-10/{name}"), "logs_machine").unwrap();
        assert_eq!((c.partition, c.first, c.last), (3, 123, 456));
        assert_eq!(parse_final(&name, "logs"), None);
        assert_eq!(
            parse_final(&format!("{name}.gz"), "logs_machine").map(|c| c.last),
            Some(456)
        );
        assert_eq!(
            parse_final(&format!("{name}.gz"), "logs_machine").map(|c| c.last),
            Some(456)
        );
        assert_eq!(parse_final("logs_machine+3+9+1.log", "logs_machine"), None);
        assert_eq!(parse_final("logs_machine+-1+1+2.log", "logs_machine"), None);
        assert_eq!(parse_final("logs_machine+1+-5+2.log", "logs_machine"), None);
        assert_eq!(
            parse_final("_tmp.logs_machine+3+000000000123.1.2.log", "logs_machine"),
            None
        );
    }

    #[test]
    fn a_file_claiming_the_largest_offset_is_refused_not_overflowed() {
        let dir = std::env::temp_dir().join(format!("logmr-commit-max-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = LocalStore::open(&dir).unwrap();
        let name = final_name("t", 0, 5, i64::MAX);
        store.create(&name).unwrap().close().unwrap();
        let err = recover(&store, "t", &[0]).unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{err}");
        assert!(err.to_string().contains(&name), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn files_hadoop_would_read_that_are_not_batches_are_named() {
        let dir = std::env::temp_dir().join(format!("logmr-commit-foreign-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = LocalStore::open(&dir).unwrap();
        for name in [
            final_name("t", 0, 0, 4),
            final_name("other", 0, 0, 4),
            "t+0+garbage.log".to_string(),
            "notes.txt".to_string(),
            "dt=2024-12-10/t+1+000000000000+000000000002.log.gz".to_string(),
            "_SUCCESS".to_string(),
            ".hidden/x.log".to_string(),
            "_logs/history".to_string(),
            format!("{TEMP_PREFIX}t+0+000000000005.1.2.log"),
        ] {
            store.create(&name).unwrap().close().unwrap();
        }
        let r = recover(&store, "t", &[]).unwrap();
        assert_eq!(r.foreign, ["notes.txt", "t+0+garbage.log"]);
        assert_eq!(r.next, BTreeMap::from([(0, 5), (1, 3)]));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn local_store_keeps_the_commit_protocol() {
        let dir = std::env::temp_dir().join(format!("logmr-commit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        contract::check(&LocalStore::open(&dir).unwrap());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
