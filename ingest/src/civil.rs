//! Calendar time from Unix time and back (proleptic Gregorian, UTC), after
//! Howard Hinnant's `days_from_civil` algorithms. Enough for log timestamps
//! without a date-time dependency.

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

/// Days since 1970-01-01 of a calendar date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    logmr::keys::time::days_from_civil(year, month.into(), day.into())
}

/// The calendar fields of a Unix time in milliseconds.
pub fn civil(unix_millis: i64) -> Civil {
    let secs = unix_millis.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = logmr::keys::time::civil_from_days(days);
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

use logmr::keys::time::decimal;

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
}
