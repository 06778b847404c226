//! Writing `KEY<SEP>COUNT` lines.

use std::io::{self, Write};

use crate::units::digits;

/// Writes one `KEY<SEP>COUNT\n` line.
#[inline]
pub fn write_count<W: Write + ?Sized>(
    out: &mut W,
    key: &[u8],
    sep: &[u8],
    count: u64,
) -> io::Result<()> {
    out.write_all(key)?;
    out.write_all(sep)?;
    out.write_all(digits(count, 1).as_bytes())?;
    out.write_all(b"\n")
}

/// Writes `(key, count)` pairs sorted by key in byte order, as Hadoop sorts.
pub fn write_sorted<'a, W: Write + ?Sized>(
    out: &mut W,
    pairs: impl IntoIterator<Item = (&'a [u8], u64)>,
    sep: &[u8],
) -> io::Result<()> {
    let mut pairs: Vec<(&[u8], u64)> = pairs.into_iter().collect();
    pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (key, count) in pairs {
        write_count(out, key, sep, count)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_counts() {
        let mut out = Vec::new();
        write_sorted(
            &mut out,
            [(&b"b"[..], 0), (&b"a"[..], u64::MAX), (&b"B"[..], 7)],
            b"\t",
        )
        .unwrap();
        assert_eq!(out, b"B\t7\na\t18446744073709551615\nb\t0\n");
    }
}
