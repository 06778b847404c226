//! The map kernel: reads an input block by block and hands the level key of
//! every line to a callback. No allocation per line, no UTF-8 validation.

use std::io::Read;

use ahash::AHashMap;

use crate::error::{Error, Result};
use crate::input::Input;
use crate::keys::KeyMaker;
use crate::level::{Detector, KeyId};
use crate::linebuf::{Chunk, LineBuffer, for_each_line};

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
}

impl KeyedCounts {
    #[inline]
    pub fn add(&mut self, key: &[u8], n: u64) {
        match self.counts.get_mut(key) {
            Some(count) => *count += n,
            None => {
                self.counts.insert(key.to_vec(), n);
            }
        }
    }

    /// Adds another task's counts.
    pub fn merge(&mut self, other: KeyedCounts) {
        for (key, n) in other.counts {
            *self.counts.entry(key).or_insert(0) += n;
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
}

impl MapStats {
    pub fn merge(&mut self, other: MapStats) {
        self.lines += other.lines;
        self.bytes += other.bytes;
        self.long_lines += other.long_lines;
    }
}

/// Maps one input: calls `on_key` with the key of each line, in order, and
/// `on_block(bytes_so_far, lines_so_far)` after each block.
pub fn map_input<R: Read + ?Sized>(
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
pub fn map_lines<R: Read + ?Sized>(
    input: &Input,
    rdr: &mut R,
    buf: &mut LineBuffer,
    mut on_line: impl FnMut(&[u8]) -> Result<()>,
    mut on_block: impl FnMut(u64, u64),
) -> Result<MapStats> {
    buf.reset();
    let mut stats = MapStats::default();
    loop {
        let chunk = buf.next_chunk(rdr).map_err(|e| input.read_error(e))?;
        match chunk {
            None => break,
            Some(Chunk::Lines(lines)) => {
                for_each_line::<Error>(lines, |line| {
                    stats.lines += 1;
                    on_line(line)
                })?;
            }
            Some(Chunk::LongLine(head)) => {
                stats.lines += 1;
                stats.long_lines += 1;
                on_line(head)?;
            }
        }
        on_block(buf.bytes_read(), stats.lines);
    }
    stats.bytes = buf.bytes_read();
    Ok(stats)
}

/// Counts the keys of a whole byte slice (used by tests and benchmarks).
pub fn count_bytes(bytes: &[u8], detector: &Detector) -> (KeyCounts, MapStats) {
    let mut counts = KeyCounts::new(detector);
    let mut buf = LineBuffer::default();
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
    let mut buf = LineBuffer::default();
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
