//! Keys with a time bucket (`LEVEL|2024-12-10T14`, in either order) as a
//! grid of counts per series and bucket, with empty buckets filled in.

use std::collections::BTreeMap;

use super::{Row, rank};
use crate::civil::Bucket;
use crate::keys::names::Name;

/// Counts per series (a level) and time bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeline {
    pub step: Bucket,
    /// Bucket labels in time order, without gaps (unless there would be
    /// more than [`MAX_FILLED`] of them).
    pub buckets: Vec<String>,
    /// Series names, least severe first (the stacking order).
    pub series: Vec<String>,
    /// `counts[s][b]`: lines of series `s` in bucket `b`.
    pub counts: Vec<Vec<u64>>,
    /// Lines without a time (time part `-`), per series.
    pub untimed: Vec<u64>,
}

/// Most buckets a gap-free time axis may have.
pub const MAX_FILLED: i64 = 5000;

/// The series of keys that have only a time part.
pub const ONLY_SERIES: &str = "lines";

/// The timeline of `rows`, whose parts are `names`: when one part is a
/// time bucket, the others (joined) name the series; `None` otherwise.
pub fn timeline(rows: &[Row], names: &[Name]) -> Option<Timeline> {
    let at = names.iter().position(|n| matches!(n, Name::Time(_)))?;
    let mut step = None;
    let mut cells: BTreeMap<(String, i64), u64> = BTreeMap::new();
    let mut untimed: BTreeMap<String, u64> = BTreeMap::new();
    for row in rows {
        let mut parts: Vec<&str> = row.key.split('|').collect();
        if parts.len() != names.len() {
            return None;
        }
        let time = parts.remove(at);
        let series = if parts.is_empty() {
            ONLY_SERIES.to_string()
        } else {
            parts.join("|")
        };
        if time == "-" {
            let cell = untimed.entry(series).or_default();
            *cell = u64::saturating_add(*cell, row.count);
            continue;
        }
        let (minutes, this_step) = Bucket::parse_label(time)?;
        if *step.get_or_insert(this_step) != this_step {
            return None;
        }
        let cell = cells.entry((series, minutes)).or_default();
        *cell = u64::saturating_add(*cell, row.count);
    }
    let step = step?;
    let mut series: Vec<String> = cells
        .keys()
        .map(|(s, _)| s.clone())
        .chain(untimed.keys().cloned())
        .collect();
    series.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    series.dedup();
    let times: Vec<i64> = {
        let mut t: Vec<i64> = cells.keys().map(|(_, m)| *m).collect();
        t.sort_unstable();
        t.dedup();
        let (first, last) = (*t.first()?, *t.last()?);
        let span = (last - first) / step.minutes() + 1;
        if span <= MAX_FILLED {
            (0..span).map(|i| first + i * step.minutes()).collect()
        } else {
            t
        }
    };
    let mut counts = vec![vec![0; times.len()]; series.len()];
    for ((name, minutes), n) in &cells {
        let row = series.binary_search_by(|s| rank(s).cmp(&rank(name)).then_with(|| s.cmp(name)));
        let column = times.binary_search(minutes);
        if let (Ok(row), Ok(column)) = (row, column) {
            counts[row][column] = *n;
        }
    }
    Some(Timeline {
        step,
        buckets: times.iter().map(|&m| step.label(m)).collect(),
        untimed: series
            .iter()
            .map(|s| untimed.get(s).copied().unwrap_or(0))
            .collect(),
        series,
        counts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::names::infer;

    fn rows(spec: &[(&str, u64)]) -> Vec<Row> {
        spec.iter()
            .map(|(k, n)| Row::new(k.as_bytes(), *n))
            .collect()
    }

    fn timeline(rows: &[Row]) -> Option<Timeline> {
        super::timeline(rows, &infer(rows.iter().map(|r| r.key.as_bytes())))
    }

    #[test]
    fn fills_gaps_and_orders_series_by_severity() {
        let t = timeline(&rows(&[
            ("ERROR|2024-12-10T23", 2),
            ("INFO|2024-12-10T22", 5),
            ("INFO|2024-12-11T01", 1),
            ("INFO|-", 4),
        ]))
        .unwrap();
        assert_eq!(t.step, Bucket::Hour);
        assert_eq!(
            t.buckets,
            [
                "2024-12-10T22",
                "2024-12-10T23",
                "2024-12-11T00",
                "2024-12-11T01"
            ]
        );
        assert_eq!(t.series, ["INFO", "ERROR"]);
        assert_eq!(t.counts, [vec![5, 0, 0, 1], vec![0, 2, 0, 0]]);
        assert_eq!(t.untimed, [4, 0]);
    }

    #[test]
    fn time_first_and_minutes() {
        let t = timeline(&rows(&[
            ("2024-02-29T23:59|WARN", 1),
            ("2024-03-01T00:01|WARN", 3),
        ]))
        .unwrap();
        assert_eq!(
            t.buckets,
            ["2024-02-29T23:59", "2024-03-01T00:00", "2024-03-01T00:01"]
        );
        assert_eq!(t.counts, [vec![1, 0, 3]]);
    }

    #[test]
    fn not_a_timeline() {
        assert!(timeline(&rows(&[("ERROR", 1)])).is_none());
        assert!(timeline(&rows(&[("ERROR|web1", 1)])).is_none());
        assert!(
            timeline(&rows(&[
                ("ERROR|2024-12-10", 1),
                ("ERROR|2024-12-10T01", 1)
            ]))
            .is_none()
        );
        assert!(timeline(&[]).is_none());
    }

    #[test]
    fn an_untimed_key_first_is_still_a_timeline() {
        let t = timeline(&rows(&[
            ("DEBUG|-", 1),
            ("INFO|2024-12-10T14", 5),
            ("WARN|2024-12-10T15", 2),
        ]))
        .unwrap();
        assert_eq!(t.series, ["DEBUG", "INFO", "WARN"]);
        assert_eq!(t.untimed, [1, 0, 0]);
        let only = timeline(&rows(&[("2024-12-10", 3), ("-", 1)])).unwrap();
        assert_eq!(only.series, [ONLY_SERIES]);
        assert_eq!(only.counts, [vec![3]]);
    }
}
