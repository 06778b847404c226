//! Time buckets: the first timestamp in a line's head, in the layouts the
//! level detector knows, cut to the minute, hour or day.
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

/// How far into a line a timestamp is looked for.
pub const HEAD: usize = 160;

/// A timestamp to the minute, UTC or as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

/// How much of a [`Stamp`] a key keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket {
    Minute,
    Hour,
    Day,
}

impl Stamp {
    fn new(year: u32, month: u32, day: u32, hour: u32, minute: u32) -> Option<Stamp> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && (1..=31).contains(&day)
            && hour < 24
            && minute < 60;
        valid.then_some(Stamp {
            year: year as u16,
            month: month as u8,
            day: day as u8,
            hour: hour as u8,
            minute: minute as u8,
        })
    }

    /// Appends `2024-12-10T14:33`, `2024-12-10T14` or `2024-12-10`.
    pub fn write(&self, bucket: Bucket, out: &mut Vec<u8>) {
        fn digits(out: &mut Vec<u8>, n: u32, width: u32) {
            for i in (0..width).rev() {
                out.push(b'0' + (n / 10u32.pow(i) % 10) as u8);
            }
        }
        digits(out, self.year.into(), 4);
        out.push(b'-');
        digits(out, self.month.into(), 2);
        out.push(b'-');
        digits(out, self.day.into(), 2);
        if bucket == Bucket::Day {
            return;
        }
        out.push(b'T');
        digits(out, self.hour.into(), 2);
        if bucket == Bucket::Minute {
            out.push(b':');
            digits(out, self.minute.into(), 2);
        }
    }

    /// The stamp cut to `bucket`, as a number below 2^35 that is never 0:
    /// equal numbers are equal buckets.
    pub fn packed(&self, bucket: Bucket) -> u64 {
        let (hour, minute) = match bucket {
            Bucket::Minute => (self.hour, self.minute),
            Bucket::Hour => (self.hour, 0),
            Bucket::Day => (0, 0),
        };
        1 << 34
            | u64::from(self.year) << 20
            | u64::from(self.month) << 16
            | u64::from(self.day) << 11
            | u64::from(hour) << 6
            | u64::from(minute)
    }

    /// The stamp a [`Stamp::packed`] number stands for; `None` for 0.
    pub fn unpacked(packed: u64) -> Option<Stamp> {
        (packed >> 34 & 1 == 1).then_some(Stamp {
            year: (packed >> 20 & 0x3FFF) as u16,
            month: (packed >> 16 & 0xF) as u8,
            day: (packed >> 11 & 0x1F) as u8,
            hour: (packed >> 6 & 0x1F) as u8,
            minute: (packed & 0x3F) as u8,
        })
    }

    /// The UTC time of `secs` seconds since 1970-01-01.
    pub fn from_epoch(secs: u64) -> Stamp {
        let days = secs / 86_400;
        let rem = secs % 86_400;
        let (year, month, day) = civil_from_days(days as i64);
        Stamp {
            year: year as u16,
            month,
            day,
            hour: (rem / 3600) as u8,
            minute: (rem / 60 % 60) as u8,
        }
    }
}

/// Year, month, day of a day count since 1970-01-01 (H. Hinnant's
/// algorithm).
pub fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The decimal number in `text[range]`, if it is all ASCII digits.
pub fn decimal(text: &str, range: std::ops::Range<usize>) -> Option<i64> {
    let s = text.get(range)?;
    s.bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| s.parse().ok())?
}

/// The current UTC year, for layouts that leave it out.
pub fn current_year() -> u16 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Stamp::from_epoch(secs).year
}

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

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// `Mon dd HH:MM:SS`, the day space-padded or not, then an optional year
/// after the seconds (and fraction), as Apache writes it.
fn month_name(s: &[u8], year: u16) -> Option<Stamp> {
    let month = MONTHS.iter().position(|m| s.starts_with(*m))? as u32 + 1;
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
    fn epoch_days() {
        assert_eq!(Stamp::from_epoch(0), Stamp::new(1970, 1, 1, 0, 0).unwrap());
        assert_eq!(
            Stamp::from_epoch(951_782_400),
            Stamp::new(2000, 2, 29, 0, 0).unwrap()
        );
        assert_eq!(
            Stamp::from_epoch(4_107_542_399),
            Stamp::new(2100, 2, 28, 23, 59).unwrap()
        );
    }

    #[test]
    fn only_the_head_is_searched() {
        let line = format!("{} 2024-12-10 14:33:21", "x".repeat(HEAD));
        assert_eq!(find(line.as_bytes(), 2024), None);
    }
}
