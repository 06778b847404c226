//! Civil time: calendar dates and times from Unix time and back (proleptic
//! Gregorian, UTC, after Howard Hinnant's algorithms), stamps to the
//! minute and the buckets they are cut to. Enough for log timestamps
//! without a date-time dependency; `logmr map --by`, `logmr report` and
//! the ingest tools share it.

/// A moment broken into calendar fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub millis: u32,
    /// 0 = Sunday.
    pub weekday: u32,
}

pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
pub const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// The last millisecond of year 9999, the last a four-digit year can show.
pub const MAX_MILLIS: i64 = 253_402_300_799_999;

/// The calendar fields of a Unix time in milliseconds.
pub fn civil(unix_millis: i64) -> Civil {
    let secs = unix_millis.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month: month.into(),
        day: day.into(),
        hour: (rem / 3600) as u32,
        minute: (rem / 60 % 60) as u32,
        second: (rem % 60) as u32,
        millis: unix_millis.rem_euclid(1000) as u32,
        weekday: (days + 4).rem_euclid(7) as u32,
    }
}

/// Parses `YYYY-MM-DD HH:MM:SS` (or with `T`), optionally with `.mmm`, as
/// UTC, into Unix milliseconds.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| decimal(text, r);
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b' ' | b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)? as u32, num(8..10)? as u32);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let millis = match &text[19..] {
        "" | "Z" => 0,
        rest if rest.len() >= 4 && rest.starts_with('.') => num(20..23)?,
        _ => return None,
    };
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 86_400 + hour * 3600 + minute * 60 + second) * 1000) + millis)
}

/// A timestamp to the minute, UTC or as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

/// How much of a [`Stamp`] a time bucket keeps: a minute, an hour or a
/// day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket {
    Minute,
    Hour,
    Day,
}

impl Bucket {
    /// The name of the `--by` part: minute, hour or day.
    pub fn name(self) -> &'static str {
        match self {
            Bucket::Minute => "minute",
            Bucket::Hour => "hour",
            Bucket::Day => "day",
        }
    }

    /// A time part as a key holds it (`2024-12-10`, `2024-12-10T14`,
    /// `2024-12-10T14:33`): minutes since the epoch, and its bucket.
    pub fn parse_label(text: &str) -> Option<(i64, Bucket)> {
        let b = text.as_bytes();
        let num = |r: std::ops::Range<usize>| decimal(text, r);
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (month, day) = (num(5..7)?, num(8..10)?);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        let days = days_from_civil(num(0..4)?, month as u32, day as u32);
        let (hour, minute, step) = match b.len() {
            10 => (0, 0, Bucket::Day),
            13 if b[10] == b'T' => (num(11..13)?, 0, Bucket::Hour),
            16 if b[10] == b'T' && b[13] == b':' => (num(11..13)?, num(14..16)?, Bucket::Minute),
            _ => return None,
        };
        if hour > 23 || minute > 59 {
            return None;
        }
        Some((days * 1440 + hour * 60 + minute, step))
    }

    /// The label of the bucket `minutes` after the epoch.
    pub fn label(self, minutes: i64) -> String {
        let (y, m, d) = civil_from_days(minutes.div_euclid(1440));
        let rem = minutes.rem_euclid(1440);
        match self {
            Bucket::Day => format!("{y:04}-{m:02}-{d:02}"),
            Bucket::Hour => format!("{y:04}-{m:02}-{d:02}T{:02}", rem / 60),
            Bucket::Minute => format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}", rem / 60, rem % 60),
        }
    }

    /// The bucket's length in minutes.
    pub fn minutes(self) -> i64 {
        match self {
            Bucket::Minute => 1,
            Bucket::Hour => 60,
            Bucket::Day => 1440,
        }
    }
}

impl Stamp {
    pub(crate) fn new(year: u32, month: u32, day: u32, hour: u32, minute: u32) -> Option<Stamp> {
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
        use crate::units::push_fixed as digits;
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
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (month, day) = (i64::from(month), i64::from(day));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        let c = civil(0);
        assert_eq!((c.year, c.month, c.day, c.weekday), (1970, 1, 1, 4));
        // 2024-12-10 14:33:21.978 UTC, a Tuesday.
        let t = parse_timestamp("2024-12-10 14:33:21.978").unwrap();
        assert_eq!(t, 1_733_841_201_978);
        let c = civil(t);
        assert_eq!(
            (
                c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis, c.weekday
            ),
            (2024, 12, 10, 14, 33, 21, 978, 2)
        );
        assert_eq!(
            parse_timestamp("2024-02-29T00:00:00Z"),
            Some(1_709_164_800_000)
        );
        assert_eq!(parse_timestamp("2024-13-01 00:00:00"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    proptest::proptest! {
        #[test]
        fn round_trips(millis in -5_000_000_000_000i64..10_000_000_000_000) {
            let c = civil(millis);
            let back = (days_from_civil(c.year, c.month, c.day) * 86_400
                + i64::from(c.hour) * 3600 + i64::from(c.minute) * 60 + i64::from(c.second)) * 1000
                + i64::from(c.millis);
            proptest::prop_assert_eq!(back, millis);
        }
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
}
