//! Writing `KEY<SEP>COUNT` lines, and the same rows as CSV or JSON.

use std::io::{self, Write};

use crate::keys::JOINER;
use crate::keys::names::Name;
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

/// How rows of counts are written on stdout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// `KEY<SEP>COUNT`, as Hadoop Streaming writes and reads it.
    #[default]
    Tsv,
    /// RFC 4180 CSV with a header: one column per key part, then `count`.
    Csv,
    /// JSON Lines: one object per key, its parts named, then `count`.
    Json,
}

/// Writes rows of counts in a [`Format`], each key split into its named
/// parts for CSV and JSON.
#[derive(Debug)]
pub struct RowWriter {
    format: Format,
    names: Vec<&'static str>,
    separator: Vec<u8>,
    /// The column after the count, when rows have one (`share`, a percentage).
    extra: Option<&'static str>,
    started: bool,
}

impl RowWriter {
    pub fn new(format: Format, names: &[Name], separator: &[u8]) -> RowWriter {
        RowWriter {
            format,
            names: names.iter().map(|n| n.as_str()).collect(),
            separator: separator.to_vec(),
            extra: None,
            started: false,
        }
    }

    /// Rows have a share of the total after their count, named `name`.
    pub fn with_share(mut self, name: &'static str) -> RowWriter {
        self.extra = Some(name);
        self
    }

    /// The parts of `key`, as many as there are names (the last one
    /// holding the rest).
    fn parts<'k>(&self, key: &'k [u8]) -> impl Iterator<Item = &'k [u8]> {
        key.splitn(self.names.len().max(1), |&b| b == JOINER)
    }

    /// Writes one row; `share` only when made [`RowWriter::with_share`].
    pub fn write<W: Write + ?Sized>(
        &mut self,
        out: &mut W,
        key: &[u8],
        count: u64,
        share: Option<f64>,
    ) -> io::Result<()> {
        match self.format {
            Format::Tsv => match share {
                None => write_count(out, key, &self.separator, count),
                Some(share) => {
                    out.write_all(key)?;
                    out.write_all(&self.separator)?;
                    out.write_all(digits(count, 1).as_bytes())?;
                    out.write_all(&self.separator)?;
                    writeln!(out, "{share:.1}")
                }
            },
            Format::Csv => {
                if !self.started {
                    self.started = true;
                    let mut header: Vec<&str> = self.names.clone();
                    header.push("count");
                    header.extend(self.extra);
                    writeln!(out, "{}", header.join(","))?;
                }
                for part in self.parts(key) {
                    csv_field(out, part)?;
                    out.write_all(b",")?;
                }
                out.write_all(digits(count, 1).as_bytes())?;
                if let Some(share) = share {
                    write!(out, ",{share:.1}")?;
                }
                out.write_all(b"\n")
            }
            Format::Json => {
                out.write_all(b"{")?;
                for (name, part) in self.names.iter().zip(self.parts(key)) {
                    json_string(out, name.as_bytes())?;
                    out.write_all(b":")?;
                    json_string(out, part)?;
                    out.write_all(b",")?;
                }
                write!(out, "\"count\":{count}")?;
                if let (Some(name), Some(share)) = (self.extra, share) {
                    write!(out, ",\"{name}\":{share:.1}")?;
                }
                out.write_all(b"}\n")
            }
        }
    }
}

/// A CSV field, quoted when it holds a comma, a quote, CR or LF.
fn csv_field<W: Write + ?Sized>(out: &mut W, field: &[u8]) -> io::Result<()> {
    if !field
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        return out.write_all(field);
    }
    out.write_all(b"\"")?;
    for chunk in field.split_inclusive(|&b| b == b'"') {
        out.write_all(chunk)?;
        if chunk.ends_with(b"\"") {
            out.write_all(b"\"")?;
        }
    }
    out.write_all(b"\"")
}

/// A JSON string; bytes that are not UTF-8 become U+FFFD.
fn json_string<W: Write + ?Sized>(out: &mut W, text: &[u8]) -> io::Result<()> {
    out.write_all(b"\"")?;
    for c in String::from_utf8_lossy(text).chars() {
        match c {
            '"' => out.write_all(b"\\\"")?,
            '\\' => out.write_all(b"\\\\")?,
            '\n' => out.write_all(b"\\n")?,
            '\r' => out.write_all(b"\\r")?,
            '\t' => out.write_all(b"\\t")?,
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32)?,
            c => write!(out, "{c}")?,
        }
    }
    out.write_all(b"\"")
}

/// A writer that takes `KEY<TAB>COUNT` lines and writes them in a
/// [`Format`]: what a command that writes TSV (`logmr run`) writes through
/// to give CSV or JSON.
pub struct Formatted<'a> {
    inner: &'a mut dyn Write,
    rows: RowWriter,
    pending: Vec<u8>,
}

impl<'a> Formatted<'a> {
    pub fn new(inner: &'a mut dyn Write, rows: RowWriter) -> Formatted<'a> {
        Formatted {
            inner,
            rows,
            pending: Vec::new(),
        }
    }

    fn line(&mut self, line: &[u8]) -> io::Result<()> {
        let bad = || io::Error::new(io::ErrorKind::InvalidData, "not a KEY<TAB>COUNT line");
        let at = memchr::memrchr(b'\t', line).ok_or_else(bad)?;
        let count = std::str::from_utf8(&line[at + 1..])
            .ok()
            .and_then(|c| c.parse().ok())
            .ok_or_else(bad)?;
        self.rows.write(self.inner, &line[..at], count, None)
    }
}

impl Write for Formatted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        if !self.pending.is_empty() {
            let Some(end) = memchr::memchr(b'\n', rest) else {
                self.pending.extend_from_slice(rest);
                return Ok(buf.len());
            };
            // The line begun in earlier writes; its buffer is kept for the next.
            let mut begun = std::mem::take(&mut self.pending);
            begun.extend_from_slice(&rest[..end]);
            let done = self.line(&begun);
            begun.clear();
            self.pending = begun;
            done?;
            rest = &rest[end + 1..];
        }
        let whole = memchr::memrchr(b'\n', rest).map_or(0, |last| last + 1);
        for line in rest[..whole].split_inclusive(|&b| b == b'\n') {
            self.line(&line[..line.len() - 1])?;
        }
        self.pending.extend_from_slice(&rest[whole..]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
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

    #[test]
    fn rows_as_csv_and_json() {
        let names = [Name::Level, Name::Template];
        let rows: &[(&[u8], u64)] = &[(b"INFO|said \"hi\", then\tleft", 3), (b"WARN|\xff", 1)];
        let mut csv = Vec::new();
        let mut writer = RowWriter::new(Format::Csv, &names, b"\t");
        for (key, n) in rows {
            writer.write(&mut csv, key, *n, None).unwrap();
        }
        // CSV keeps a key's bytes as they are; JSON cannot.
        assert_eq!(
            csv,
            b"level,template,count\nINFO,\"said \"\"hi\"\", then\tleft\",3\nWARN,\xff,1\n"
        );
        let mut json = Vec::new();
        let mut formatted = Formatted::new(&mut json, RowWriter::new(Format::Json, &names, b"\t"));
        formatted.write_all(b"INFO|a\\b\t3\nWA").unwrap();
        formatted.write_all(b"RN|x\t1\n").unwrap();
        assert_eq!(
            String::from_utf8(json).unwrap(),
            "{\"level\":\"INFO\",\"template\":\"a\\\\b\",\"count\":3}\n\
             {\"level\":\"WARN\",\"template\":\"x\",\"count\":1}\n"
        );
    }
}
