//! The reduce kernel: sums `KEY<SEP>COUNT` lines per key. It accepts its own
//! output and any order of input, so it serves as combiner and reducer.

use std::fmt;
use std::io::{self, Write};

use ahash::AHashMap;
use memchr::memmem;

use crate::output::write_count;

/// Why a reduce input line was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// The line has no separator.
    NoSeparator,
    /// The count is not a non-negative decimal integer that fits in u64.
    BadCount,
    /// Adding the count would overflow the key's u64 total.
    Overflow,
    /// The line is longer than the line buffer's maximum.
    TooLong,
    /// The key sorts before the one above it, in input said to be sorted.
    Unsorted,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Malformed::NoSeparator => "no separator between key and count",
            Malformed::BadCount => "count is not a non-negative integer below 2^64",
            Malformed::Overflow => "the key's total would overflow u64",
            Malformed::TooLong => "line too long",
            Malformed::Unsorted => {
                "the key sorts before the one above it, so the input is not sorted by key \
                 in byte order as Hadoop sorts it and --sorted would write keys twice; \
                 sort it (LC_ALL=C sort) or leave out --sorted"
            }
        })
    }
}

/// Parses a count: ASCII digits only (leading zeros of any length too),
/// at most u64::MAX.
#[inline]
pub fn parse_count(bytes: &[u8]) -> Result<u64, Malformed> {
    if bytes.is_empty() {
        return Err(Malformed::BadCount);
    }
    let mut n: u64 = 0;
    for &b in bytes {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return Err(Malformed::BadCount);
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(digit)))
            .ok_or(Malformed::BadCount)?;
    }
    Ok(n)
}

/// Splits `KEY<SEP>COUNT` at the last separator, so keys may contain it.
#[inline]
pub fn parse_line<'a>(line: &'a [u8], sep: &[u8]) -> Result<(&'a [u8], u64), Malformed> {
    let at = match sep {
        [one] => memchr::memrchr(*one, line),
        _ => memmem::rfind(line, sep),
    }
    .ok_or(Malformed::NoSeparator)?;
    Ok((&line[..at], parse_count(&line[at + sep.len()..])?))
}

/// Running totals per key.
///
/// The total of the most recent key is kept outside the map, so sorted
/// input (what Hadoop gives a reducer) costs one map operation per key, not
/// per line; a key is allocated only the first time it is seen.
#[derive(Debug, Default)]
pub struct Totals {
    map: AHashMap<Vec<u8>, u64>,
    current: Option<(Vec<u8>, u64)>,
}

impl Totals {
    pub fn new() -> Totals {
        Totals::default()
    }

    /// Adds `count` to `key`'s total; on overflow nothing changes.
    #[inline]
    pub fn add(&mut self, key: &[u8], count: u64) -> Result<(), Malformed> {
        match &mut self.current {
            Some((k, total)) if k.as_slice() == key => {
                *total = total.checked_add(count).ok_or(Malformed::Overflow)?;
                return Ok(());
            }
            _ => {}
        }
        let (k, total) = match self.map.remove_entry(key) {
            Some(entry) => entry,
            None => (key.to_vec(), 0),
        };
        let result = total.checked_add(count).ok_or(Malformed::Overflow);
        let total = result.unwrap_or(total);
        if let Some((old_k, old_total)) = self.current.replace((k, total)) {
            self.map.insert(old_k, old_total);
        }
        result.map(|_| ())
    }

    /// Adds one `KEY<SEP>COUNT` line.
    #[inline]
    pub fn add_line(&mut self, line: &[u8], sep: &[u8]) -> Result<(), Malformed> {
        let (key, count) = parse_line(line, sep)?;
        self.add(key, count)
    }

    /// All totals, sorted by key in byte order.
    pub fn into_sorted(mut self) -> Vec<(Vec<u8>, u64)> {
        if let Some((k, total)) = self.current.take() {
            self.map.insert(k, total);
        }
        let mut out: Vec<(Vec<u8>, u64)> = self.map.into_iter().collect();
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// Totals of sorted input, one key at a time: keys must come in byte
/// order, as Hadoop hands a combiner or reducer its input. A key's total is
/// written when the next key starts, so memory holds one key whatever the
/// number of keys; a key that goes backwards is refused
/// ([`Malformed::Unsorted`]), since its total would be written twice.
pub struct Groups<'w> {
    out: &'w mut dyn Write,
    separator: Vec<u8>,
    key: Vec<u8>,
    total: u64,
    open: bool,
    keys: u64,
}

impl<'w> Groups<'w> {
    pub fn new(out: &'w mut dyn Write, separator: &[u8]) -> Groups<'w> {
        Groups {
            out,
            separator: separator.to_vec(),
            key: Vec::with_capacity(256),
            total: 0,
            open: false,
            keys: 0,
        }
    }

    /// Adds `count` to `key`'s group; on overflow nothing changes. The
    /// outer error is the output's.
    #[inline]
    pub fn add(&mut self, key: &[u8], count: u64) -> io::Result<Result<(), Malformed>> {
        if self.open && self.key == key {
            return Ok(match self.total.checked_add(count) {
                Some(total) => {
                    self.total = total;
                    Ok(())
                }
                None => Err(Malformed::Overflow),
            });
        }
        if self.open && key < self.key.as_slice() {
            return Ok(Err(Malformed::Unsorted));
        }
        self.close()?;
        self.key.clear();
        self.key.extend_from_slice(key);
        self.total = count;
        self.open = true;
        Ok(Ok(()))
    }

    fn close(&mut self) -> io::Result<()> {
        if self.open {
            write_count(self.out, &self.key, &self.separator, self.total)?;
            self.keys += 1;
            self.open = false;
        }
        Ok(())
    }

    /// Writes the last group: the number of keys written in all.
    pub fn finish(mut self) -> io::Result<u64> {
        self.close()?;
        Ok(self.keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count(b"0"), Ok(0));
        assert_eq!(parse_count(b"18446744073709551615"), Ok(u64::MAX));
        // Found by the reduce_lines fuzz target: zeros in front of a count
        // that fits made it longer than 20 digits, and it was rejected.
        assert_eq!(parse_count(b"0000000000000000002066201401"), Ok(2066201401));
        assert_eq!(parse_count(&[b'0'; 100]), Ok(0));
        for bad in [
            &b""[..],
            b"18446744073709551616",
            b"-1",
            b"+1",
            b"1 ",
            b" 1",
            b"1.0",
            b"x",
            b"123456789012345678901",
        ] {
            assert_eq!(
                parse_count(bad),
                Err(Malformed::BadCount),
                "{:?}",
                bstr::BStr::new(bad)
            );
        }
    }

    #[test]
    fn lines() {
        assert_eq!(parse_line(b"INFO\t3", b"\t"), Ok((&b"INFO"[..], 3)));
        assert_eq!(parse_line(b"a\tb\t3", b"\t"), Ok((&b"a\tb"[..], 3)));
        assert_eq!(parse_line(b"\t3", b"\t"), Ok((&b""[..], 3)));
        assert_eq!(parse_line(b"k::4", b"::"), Ok((&b"k"[..], 4)));
        assert_eq!(parse_line(b"INFO 3", b"\t"), Err(Malformed::NoSeparator));
        assert_eq!(parse_line(b"INFO\t", b"\t"), Err(Malformed::BadCount));
    }

    #[test]
    fn totals_in_any_order_and_overflow() {
        let mut t = Totals::new();
        for (k, n) in [("b", 1), ("a", 2), ("b", 3), ("b", 4), ("a", 5)] {
            t.add(k.as_bytes(), n).unwrap();
        }
        assert_eq!(t.add(b"a", u64::MAX), Err(Malformed::Overflow));
        assert_eq!(t.add(b"b", u64::MAX), Err(Malformed::Overflow));
        t.add(b"c", u64::MAX).unwrap();
        assert_eq!(
            t.into_sorted(),
            vec![
                (b"a".to_vec(), 7),
                (b"b".to_vec(), 8),
                (b"c".to_vec(), u64::MAX)
            ]
        );
    }

    #[test]
    fn groups_write_each_key_when_the_next_starts() {
        let mut out = Vec::new();
        let mut g = Groups::new(&mut out, b"\t");
        for (k, n) in [("a", 2), ("a", 5), ("b", 1), ("c", u64::MAX)] {
            g.add(k.as_bytes(), n).unwrap().unwrap();
        }
        assert_eq!(g.add(b"c", 1).unwrap(), Err(Malformed::Overflow));
        assert_eq!(g.finish().unwrap(), 3);
        assert_eq!(out, b"a\t7\nb\t1\nc\t18446744073709551615\n");
    }
}
