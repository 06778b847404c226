//! The map kernel: reads an input block by block and hands the level key of
//! every line to a callback. No allocation per line, no UTF-8 validation.

use std::io::Read;

use crate::error::{Error, Result};
use crate::input::Input;
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
                    on_key(detector.detect(line))
                })?;
            }
            Some(Chunk::LongLine(head)) => {
                stats.lines += 1;
                stats.long_lines += 1;
                on_key(detector.detect(head))?;
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
