//! Timestamps: the first one in a line's head, to the minute.
//!
//! Recognised, wherever they start in the first [`HEAD`] bytes:
//! `2024-12-10T14:33` and `2024-12-10 14:33` (ISO, log4j, Python, CBS),
//! `24/12/10 14:33:21` (yy/MM/dd, Spark), `081109 203615` (yyMMdd HHmmss,
//! HDFS), `20171223-22:15:29` (HealthApp), `Dec 10 14:33:21` (syslog;
//! Apache's `Tue Dec 10 14:33:21 2024` with its year), `12-10 14:33:21`
//! (logcat), `10.30 16:49:06` (Proxifier), and epoch seconds or
//! milliseconds (`1733841202`, `1733841202.5`, `1733841202500`). Layouts
//! without a year (syslog, logcat, Proxifier) take the year given.
//! BlueGene/L and Thunderbird lines start with epoch seconds, so their
//! buckets are UTC, while the wall clock written later in the line is
//! local time.

use crate::civil::{MONTHS, Stamp};

/// How far into a line a timestamp is looked for.
pub const HEAD: usize = 160;

/// The number in `bytes[at..at + n]`, if all are digits.
fn num(bytes: &[u8], at: usize, n: usize) -> Option<u32> {
    let digits = bytes.get(at..at + n)?;
    digits.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

fn byte_is(bytes: &[u8], at: usize, set: &[u8]) -> bool {
    bytes.get(at).is_some_and(|b| set.contains(b))
}

fn digit_at(bytes: &[u8], at: usize) -> bool {
    bytes.get(at).is_some_and(u8::is_ascii_digit)
}

/// `YYYY-MM-DD[T ]HH:MM`.
fn iso(s: &[u8]) -> Option<Stamp> {
    if !(byte_is(s, 4, b"-")
        && byte_is(s, 7, b"-")
        && byte_is(s, 10, b"T ")
        && byte_is(s, 13, b":"))
    {
        return None;
    }
    Stamp::new(
        num(s, 0, 4)?,
        num(s, 5, 2)?,
        num(s, 8, 2)?,
        num(s, 11, 2)?,
        num(s, 14, 2)?,
    )
}

/// `yy/MM/dd HH:MM` or `yyyy/MM/dd HH:MM`.
fn slashed(s: &[u8]) -> Option<Stamp> {
    let (year, at) = if byte_is(s, 4, b"/") {
        (num(s, 0, 4)?, 5)
    } else {
        (2000 + num(s, 0, 2)?, 3)
    };
    if !(byte_is(s, at - 1, b"/")
        && byte_is(s, at + 2, b"/")
        && byte_is(s, at + 5, b" ")
        && byte_is(s, at + 8, b":"))
    {
        return None;
    }
    Stamp::new(
        year,
        num(s, at, 2)?,
        num(s, at + 3, 2)?,
        num(s, at + 6, 2)?,
        num(s, at + 9, 2)?,
    )
}

/// `yyyyMMdd-HH:mm:ss`, as HealthApp writes it.
fn dashed(s: &[u8]) -> Option<Stamp> {
    if !(byte_is(s, 8, b"-") && byte_is(s, 11, b":") && byte_is(s, 14, b":")) {
        return None;
    }
    Stamp::new(
        num(s, 0, 4)?,
        num(s, 4, 2)?,
        num(s, 6, 2)?,
        num(s, 9, 2)?,
        num(s, 12, 2)?,
    )
}

/// `yyMMdd HHmmss`, as HDFS writes it.
fn compact(s: &[u8]) -> Option<Stamp> {
    if !byte_is(s, 6, b" ") || digit_at(s, 13) {
        return None;
    }
    num(s, 7, 6)?;
    Stamp::new(
        2000 + num(s, 0, 2)?,
        num(s, 2, 2)?,
        num(s, 4, 2)?,
        num(s, 7, 2)?,
        num(s, 9, 2)?,
    )
}

/// `MM-DD HH:MM:SS` as logcat writes it, or `MM.DD HH:MM:SS` as Proxifier
/// does, in `year`.
fn month_day(s: &[u8], year: u16) -> Option<Stamp> {
    if !(byte_is(s, 2, b"-.") && byte_is(s, 5, b" ") && byte_is(s, 8, b":") && byte_is(s, 11, b":"))
    {
        return None;
    }
    Stamp::new(
        year.into(),
        num(s, 0, 2)?,
        num(s, 3, 2)?,
        num(s, 6, 2)?,
        num(s, 9, 2)?,
    )
}

/// Epoch seconds (10 digits) or milliseconds (13 digits), from 2001 on.
fn epoch(s: &[u8]) -> Option<Stamp> {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let value: u64 = std::str::from_utf8(&s[..n]).ok()?.parse().ok()?;
    let secs = match n {
        10 => value,
        13 => value / 1000,
        _ => return None,
    };
    Some(Stamp::from_epoch(secs))
}

/// `Mon dd HH:MM:SS`, the day space-padded or not, then an optional year
/// after the seconds (and fraction), as Apache writes it.
fn month_name(s: &[u8], year: u16) -> Option<Stamp> {
    let month = MONTHS.iter().position(|m| s.starts_with(m.as_bytes()))? as u32 + 1;
    if !byte_is(s, 3, b" ") {
        return None;
    }
    let mut at = 4;
    if s.get(at) == Some(&b' ') {
        at += 1;
    }
    let day_len = if digit_at(s, at + 1) { 2 } else { 1 };
    let day = num(s, at, day_len)?;
    at += day_len;
    if !(byte_is(s, at, b" ") && byte_is(s, at + 3, b":") && byte_is(s, at + 6, b":")) {
        return None;
    }
    let (hour, minute) = (num(s, at + 1, 2)?, num(s, at + 4, 2)?);
    num(s, at + 7, 2)?;
    let mut end = at + 9;
    if s.get(end) == Some(&b'.') {
        end += 1 + s[end + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
    }
    let year = match (s.get(end), num(s, end + 1, 4)) {
        (Some(b' '), Some(y)) if !digit_at(s, end + 5) => y,
        _ => year.into(),
    };
    Stamp::new(year, month, day, hour, minute)
}

/// The first timestamp in the first [`HEAD`] bytes of `line`.
pub fn find(line: &[u8], year: u16) -> Option<Stamp> {
    let head = &line[..line.len().min(HEAD)];
    for i in 0..head.len() {
        let b = head[i];
        let prev = if i == 0 { b' ' } else { head[i - 1] };
        let s = &line[i..];
        if b.is_ascii_digit() && !prev.is_ascii_digit() {
            let found = iso(s)
                .or_else(|| slashed(s))
                .or_else(|| compact(s))
                .or_else(|| dashed(s))
                .or_else(|| month_day(s, year))
                .or_else(|| epoch(s));
            if found.is_some() {
                return found;
            }
        } else if b.is_ascii_uppercase() && !prev.is_ascii_alphabetic() {
            if let Some(found) = month_name(s, year) {
                return Some(found);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::civil::Bucket;

    fn bucket(line: &str, bucket: Bucket) -> String {
        let mut out = Vec::new();
        match find(line.as_bytes(), 2024) {
            Some(stamp) => stamp.write(bucket, &mut out),
            None => out.extend_from_slice(b"none"),
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn each_layout() {
        let table = [
            (
                "2024-12-10 14:33:21 [INFO] machine-07: x",
                "2024-12-10T14:33",
            ),
            (
                "2015-10-18 18:01:47,978 INFO [main] x: y",
                "2015-10-18T18:01",
            ),
            (
                "2024-03-01 12:00:00,001 - app.db - INFO - x",
                "2024-03-01T12:00",
            ),
            ("2016-09-28 04:30:30, Info CBS x", "2016-09-28T04:30"),
            (
                r#"{"time":"2024-12-10T14:33:21Z","level":"info"}"#,
                "2024-12-10T14:33",
            ),
            (
                "time=2024-12-10T14:33:22.000Z level=WARN",
                "2024-12-10T14:33",
            ),
            (
                "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO",
                "2017-05-16T00:00",
            ),
            (
                "24/12/10 14:33:21 INFO spark.SparkContext: x",
                "2024-12-10T14:33",
            ),
            (
                "081109 203615 148 INFO dfs.DataNode$PacketResponder: x",
                "2008-11-09T20:36",
            ),
            (
                "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: x",
                "2024-06-14T15:16",
            ),
            ("Jun  4 05:06:07 combo x", "2024-06-04T05:06"),
            ("<34>Oct 11 22:14:15 mymachine su: x", "2024-10-11T22:14"),
            ("[Sun Dec 04 04:47:44 2005] [notice] x", "2005-12-04T04:47"),
            (
                "[Tue Dec 10 14:33:21.123456 2024] [core:error] x",
                "2024-12-10T14:33",
            ),
            (
                "03-17 16:13:38.811  1702  2395 D WindowManager: x",
                "2024-03-17T16:13",
            ),
            (
                "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 x",
                "2005-06-03T22:42",
            ),
            (
                r#"{"ts":1733841202.5,"severity":"ERROR"}"#,
                "2024-12-10T14:33",
            ),
            ("1733841202500 ERROR x", "2024-12-10T14:33"),
            (
                "[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy",
                "2024-10-30T16:49",
            ),
            (
                "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
                "2017-12-23T22:15",
            ),
            ("no time here, just 42 and 12:30", "none"),
            ("2024-13-10 14:33:21 bad month", "none"),
            ("", "none"),
        ];
        for (line, want) in table {
            assert_eq!(bucket(line, Bucket::Minute), want, "{line}");
        }
    }

    #[test]
    fn buckets() {
        let line = "2024-12-10 14:33:21 x";
        assert_eq!(bucket(line, Bucket::Hour), "2024-12-10T14");
        assert_eq!(bucket(line, Bucket::Day), "2024-12-10");
    }

    #[test]
    fn only_the_head_is_searched() {
        let line = format!("{} 2024-12-10 14:33:21", "x".repeat(HEAD));
        assert_eq!(find(line.as_bytes(), 2024), None);
    }
}
