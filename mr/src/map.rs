//! The map kernel: reads an input block by block and hands the level key of
//! every line to a callback. No allocation per line, no UTF-8 validation.

use std::io::{self, Read, Write};

use ahash::AHashMap;

use crate::error::{Error, Result};
use crate::input::Input;
use crate::keys::KeyMaker;
use crate::level::{Detector, KeyId};
use crate::linebuf::{Chunk, DEFAULT_MAX_LINE, DEFAULT_READ_SIZE, LineBuffer, for_each_line};
use crate::output::write_sorted;
use crate::recent::RecentCounts;

/// Per-key line counts, indexed by [`KeyId`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyCounts {
    counts: Vec<u64>,
}

impl KeyCounts {
    /// Zero counts for a detector's keys.
    pub fn new(detector: &Detector) -> KeyCounts {
        KeyCounts {
            counts: vec![0; detector.table().key_count()],
        }
    }

    #[inline(always)]
    pub fn add(&mut self, key: KeyId) {
        self.counts[key] += 1;
    }

    pub fn get(&self, key: KeyId) -> u64 {
        self.counts[key]
    }

    /// Total lines counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Adds another task's counts for the same detector.
    pub fn merge(&mut self, other: &KeyCounts) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
    }

    /// `(key bytes, count)` for every key seen at least once.
    pub fn nonzero<'d>(
        &'d self,
        detector: &'d Detector,
    ) -> impl Iterator<Item = (&'d [u8], u64)> + 'd {
        self.counts
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(id, &n)| (detector.table().key(id), n))
    }
}

/// Line counts per composite key (`logmr map --by`). A key's bytes are
/// allocated once, when the key is first seen.
#[derive(Clone, Debug, Default)]
pub struct KeyedCounts {
    counts: AHashMap<Vec<u8>, u64>,
    /// The bytes of every key held.
    key_bytes: usize,
}

impl KeyedCounts {
    #[inline]
    pub fn add(&mut self, key: &[u8], n: u64) {
        match self.counts.get_mut(key) {
            Some(count) => *count += n,
            None => {
                self.key_bytes += key.len();
                self.counts.insert(key.to_vec(), n);
            }
        }
    }

    /// About how much memory the table takes, and writing it out sorted
    /// would take beside it: the slots, each key's allocation, and a
    /// reference per key to sort.
    pub fn approx_bytes(&self) -> usize {
        const SLOT: usize = std::mem::size_of::<(Vec<u8>, u64)>() + 1;
        const PER_KEY: usize = 16 + std::mem::size_of::<(&[u8], u64)>();
        self.key_bytes + self.counts.len() * PER_KEY + self.counts.capacity() * SLOT
    }

    /// Forgets every key, keeping the slots for the next ones.
    pub fn clear(&mut self) {
        self.counts.clear();
        self.key_bytes = 0;
    }

    /// Adds another task's counts.
    pub fn merge(&mut self, other: KeyedCounts) {
        for (key, n) in other.counts {
            let len = key.len();
            let count = self.counts.entry(key).or_insert_with(|| {
                self.key_bytes += len;
                0
            });
            *count += n;
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// `(key, count)` pairs, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], u64)> {
        self.counts.iter().map(|(k, &n)| (k.as_slice(), n))
    }
}

/// What a map pass saw besides the keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MapStats {
    /// Lines seen.
    pub lines: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Lines longer than the buffer's maximum, classified by their head.
    pub long_lines: u64,
    /// The first line read holds a carriage return before its end: the
    /// input's line ends may be CR alone (classic Mac OS), which is no line
    /// end here.
    pub cr_inside_first_line: bool,
}

impl MapStats {
    pub fn merge(&mut self, other: MapStats) {
        self.lines += other.lines;
        self.bytes += other.bytes;
        self.long_lines += other.long_lines;
        self.cr_inside_first_line |= other.cr_inside_first_line;
    }
}

/// Does `line` (without its `\n`) hold a `\r` other than a CRLF's?
fn cr_inside(line: &[u8]) -> bool {
    memchr::memchr(b'\r', line).is_some_and(|at| at + 1 < line.len())
}

/// Maps one input: calls `on_key` with the key of each line, in order, and
/// `on_block(bytes_so_far, lines_so_far)` after each block.
pub fn map_input<R: Read + Send + ?Sized>(
    input: &Input,
    rdr: &mut R,
    buf: &mut LineBuffer,
    detector: &Detector,
    mut on_key: impl FnMut(KeyId) -> Result<()>,
    on_block: impl FnMut(u64, u64),
) -> Result<MapStats> {
    map_lines(
        input,
        rdr,
        buf,
        |line| on_key(detector.detect(line)),
        on_block,
    )
}

/// Reads one input line by line: calls `on_line` with each line, without
/// its terminator (a line longer than the buffer's maximum by its head),
/// and `on_block(bytes_so_far, lines_so_far)` after each block.
pub fn map_lines<R: Read + Send + ?Sized>(
    input: &Input,
    rdr: &mut R,
    buf: &mut LineBuffer,
    mut on_line: impl FnMut(&[u8]) -> Result<()>,
    mut on_block: impl FnMut(u64, u64),
) -> Result<MapStats> {
    let mut stats = MapStats::default();
    let bytes = buf.for_each_chunk(
        rdr,
        |e| input.read_error(e),
        |chunk, bytes_read| {
            if stats.lines == 0 {
                stats.cr_inside_first_line = match &chunk {
                    Chunk::Lines(lines) => {
                        cr_inside(memchr::memchr(b'\n', lines).map_or(lines, |end| &lines[..end]))
                    }
                    Chunk::LongLine(head) => cr_inside(head),
                };
            }
            match chunk {
                Chunk::Lines(lines) => {
                    for_each_line::<Error>(lines, |line| {
                        stats.lines += 1;
                        on_line(line)
                    })?;
                }
                Chunk::LongLine(head) => {
                    stats.lines += 1;
                    stats.long_lines += 1;
                    on_line(head)?;
                }
            }
            on_block(bytes_read, stats.lines);
            Ok(())
        },
    )?;
    stats.bytes = bytes;
    Ok(stats)
}

/// Where a `--by` table goes when it grows past a bound: the counts are
/// written out, sorted, and the table emptied, so memory stays bounded
/// whatever the number of keys. `logmr map` writes to its output, where
/// keys then repeat and the reducer sums them; `logmr run` writes to a
/// file of sorted runs (`runs`) that it merges at the end.
pub struct Spill<'w> {
    /// The most [`KeyedCounts::approx_bytes`] the table may reach.
    pub bound: usize,
    pub out: &'w mut dyn Write,
    pub separator: &'w [u8],
    /// The file `out` writes, for errors; `None`: the command's output.
    pub file: Option<String>,
    /// How many times the table was written out.
    pub times: u64,
    /// Where each run written ends, in bytes from the first.
    pub ends: Vec<u64>,
}

impl<'w> Spill<'w> {
    /// A spill of tables past `bound` bytes to `out`.
    pub fn new(bound: usize, out: &'w mut dyn Write, separator: &'w [u8]) -> Spill<'w> {
        Spill {
            bound,
            out,
            separator,
            file: None,
            times: 0,
            ends: Vec::new(),
        }
    }

    fn write(&mut self, counts: &mut KeyedCounts) -> Result<()> {
        self.run(|out, sep| write_sorted(out, counts.iter(), sep))?;
        counts.clear();
        self.times += 1;
        Ok(())
    }

    /// Writes one sorted run with `write`, noting where it ends.
    pub fn run(
        &mut self,
        write: impl FnOnce(&mut dyn Write, &[u8]) -> io::Result<()>,
    ) -> Result<()> {
        let mut counted = Counted {
            inner: &mut *self.out,
            bytes: 0,
        };
        let written = write(&mut counted, self.separator);
        let bytes = counted.bytes;
        written.map_err(|source| match &self.file {
            Some(path) => Error::WriteFile {
                path: path.clone(),
                source,
            },
            None => Error::Write(source),
        })?;
        let start = self.ends.last().copied().unwrap_or(0);
        self.ends.push(start + bytes);
        Ok(())
    }
}

/// A writer that counts the bytes it passes on.
struct Counted<'a> {
    inner: &'a mut dyn Write,
    bytes: u64,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The line counts of a map pass: per level on the fast path, or per
/// composite key. `logmr map` counts its inputs in one, `logmr run` in one
/// per worker, merged at the end.
pub struct Counter<'a> {
    detector: &'a Detector,
    keys: Option<&'a KeyMaker>,
    levels: KeyCounts,
    keyed: KeyedCounts,
    /// In front of `keyed` for keys given as numbers.
    recent: RecentCounts,
    /// Lines counted under the unknown level, keyed or not.
    unknown: u64,
    key: Vec<u8>,
}

impl<'a> Counter<'a> {
    /// Counts per level when `keys` is `None`, else per composite key.
    pub fn new(detector: &'a Detector, keys: Option<&'a KeyMaker>) -> Counter<'a> {
        Counter {
            detector,
            keys,
            levels: KeyCounts::new(detector),
            keyed: KeyedCounts::default(),
            recent: RecentCounts::default(),
            unknown: 0,
            key: Vec::with_capacity(256),
        }
    }

    /// Counts every line of one input, calling `on_block(bytes_so_far,
    /// lines_so_far)` after each block. With `spill`, a keyed table that
    /// passes the bound is written out and emptied.
    pub fn count<R: Read + Send + ?Sized>(
        &mut self,
        input: &Input,
        rdr: &mut R,
        buf: &mut LineBuffer,
        on_block: impl FnMut(u64, u64),
        mut spill: Option<&mut Spill<'_>>,
    ) -> Result<MapStats> {
        let Counter {
            detector,
            keys,
            levels,
            keyed,
            recent,
            unknown,
            key,
        } = self;
        let Some(maker) = keys else {
            return map_input(
                input,
                rdr,
                buf,
                detector,
                |k| {
                    levels.add(k);
                    Ok(())
                },
                on_block,
            );
        };
        let unknown_level = detector.table().unknown();
        let mut spill_if_full = |keyed: &mut KeyedCounts| match spill.as_deref_mut() {
            Some(spill) if keyed.approx_bytes() > spill.bound => spill.write(keyed),
            _ => Ok(()),
        };
        if !maker.is_packable() {
            return map_lines(
                input,
                rdr,
                buf,
                |line| {
                    if maker.write_key(detector, line, key) == unknown_level {
                        *unknown += 1;
                    }
                    keyed.add(key, 1);
                    spill_if_full(keyed)
                },
                on_block,
            );
        }
        let stats = map_lines(
            input,
            rdr,
            buf,
            |line| {
                let (packed, level) = maker.packed_key(detector, line);
                if level == unknown_level {
                    *unknown += 1;
                }
                match recent.add(packed) {
                    Some((packed, n)) => {
                        maker.write_packed(detector, packed, key);
                        keyed.add(key, n);
                        spill_if_full(keyed)
                    }
                    None => Ok(()),
                }
            },
            on_block,
        )?;
        for (packed, n) in recent.drain() {
            maker.write_packed(detector, packed, key);
            keyed.add(key, n);
        }
        spill_if_full(keyed)?;
        Ok(stats)
    }

    /// Adds the counts of another counter of the same keys.
    pub fn merge(&mut self, other: Counter<'a>) {
        self.levels.merge(&other.levels);
        self.keyed.merge(other.keyed);
        self.unknown += other.unknown;
    }

    /// Lines counted under the unknown level.
    pub fn unknown(&self) -> u64 {
        match self.keys {
            None => self.levels.get(self.detector.table().unknown()),
            Some(_) => self.unknown,
        }
    }

    /// Writes `KEY<SEP>COUNT` for every key counted, sorted by key.
    pub fn write(&self, out: &mut dyn Write, separator: &[u8]) -> io::Result<()> {
        match self.keys {
            None => write_sorted(out, self.levels.nonzero(self.detector), separator),
            Some(_) => write_sorted(out, self.keyed.iter(), separator),
        }
    }
}

/// A line buffer for a whole slice: no larger than the slice.
fn buffer_for(bytes: &[u8]) -> LineBuffer {
    LineBuffer::new(DEFAULT_READ_SIZE.min(bytes.len()), DEFAULT_MAX_LINE)
}

/// Counts the keys of a whole byte slice (used by tests and benchmarks).
pub fn count_bytes(bytes: &[u8], detector: &Detector) -> (KeyCounts, MapStats) {
    let mut counts = KeyCounts::new(detector);
    let mut buf = buffer_for(bytes);
    let mut rdr = bytes;
    let stats = map_input(
        &Input::Stdin,
        &mut rdr,
        &mut buf,
        detector,
        |k| {
            counts.add(k);
            Ok(())
        },
        |_, _| {},
    )
    .expect("reading from a slice cannot fail");
    (counts, stats)
}

/// Counts the composite keys of a whole byte slice (used by tests and
/// benchmarks).
pub fn count_keyed(bytes: &[u8], detector: &Detector, maker: &KeyMaker) -> (KeyedCounts, MapStats) {
    let mut counts = KeyedCounts::default();
    let mut key = Vec::new();
    let mut buf = buffer_for(bytes);
    let mut rdr = bytes;
    let stats = map_lines(
        &Input::Stdin,
        &mut rdr,
        &mut buf,
        |line| {
            maker.write_key(detector, line, &mut key);
            counts.add(&key, 1);
            Ok(())
        },
        |_, _| {},
    )
    .expect("reading from a slice cannot fail");
    (counts, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_line() {
        let d = Detector::default();
        let (counts, stats) = count_bytes(b"[INFO] a\r\n[WARN] b\n\nnothing\n[info]", &d);
        assert_eq!(stats.lines, 5);
        assert_eq!(counts.total(), 5);
        let got: Vec<(&[u8], u64)> = counts.nonzero(&d).collect();
        assert!(got.contains(&(&b"INFO"[..], 2)));
        assert!(got.contains(&(&b"WARN"[..], 1)));
        assert!(got.contains(&(&b"UNKNOWN"[..], 2)));
    }
}
