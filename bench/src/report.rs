//! Markdown output: tables any suite can fill, and the files they go to.

use std::fmt::Write as _;
use std::time::Duration;

/// A markdown table with a title and notes under it.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub notes: Vec<String>,
}

impl Table {
    pub fn new(title: impl Into<String>, headers: &[&str]) -> Table {
        Table {
            title: title.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            ..Table::default()
        }
    }

    /// A row for something that could not be measured: its name, why, and
    /// dashes for the other columns.
    pub fn push_unmeasured(&mut self, name: &str, why: String) {
        let mut row = vec![name.replace('|', "\\|"), why];
        row.resize(self.headers.len(), "—".into());
        self.rows.push(row);
    }

    pub fn markdown(&self) -> String {
        let mut out = format!("### {}\n\n", self.title);
        let _ = writeln!(out, "| {} |", self.headers.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(self.headers.len()));
        for row in &self.rows {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        for note in &self.notes {
            let _ = write!(out, "\n{note}\n");
        }
        out
    }
}

/// One measured row of a rate table: what ran, how many items it moved in
/// how long, and its peak RSS.
pub struct RateRow<'a> {
    pub name: &'a str,
    pub command: &'a str,
    pub items: u64,
    pub time: Duration,
    pub max_rss: u64,
}

impl RateRow<'_> {
    pub fn rate(&self) -> f64 {
        self.items as f64 / self.time.as_secs_f64()
    }
}

/// A table of items per second (generator lines, sink records), each row
/// with its ratio to the Python row's rate and to the ceiling row's, and a
/// row for each suite that could not be measured, `(name, what it needs)`.
pub fn rate_table<'a>(
    title: &str,
    items: &str,
    rows: impl IntoIterator<Item = RateRow<'a>>,
    python: Option<f64>,
    ceiling: Option<f64>,
    missing: &[(String, String)],
) -> Table {
    let per_second = format!("{items}/s");
    let mut t = Table::new(
        title,
        &[
            "row",
            "command",
            items,
            "median s",
            &per_second,
            "vs Python",
            "vs ceiling",
            "peak RSS MiB",
        ],
    );
    for row in rows {
        t.rows.push(vec![
            row.name.to_string(),
            code(row.command),
            row.items.to_string(),
            seconds(row.time),
            format!("{:.0}", row.rate()),
            python.map_or("—".into(), |p| ratio(row.rate() / p)),
            ceiling.map_or("—".into(), |c| ratio(row.rate() / c)),
            mib(row.max_rss),
        ]);
    }
    for (name, what) in missing {
        t.push_unmeasured(name, format!("not measured: needs {what}"));
    }
    t
}

/// Escapes `|` for use inside a markdown table cell, as inline code.
pub fn code(text: &str) -> String {
    format!("`{}`", text.replace('|', "\\|"))
}

pub fn seconds(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

pub fn mib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

/// A ratio such as `0.41×` or `312×`.
pub fn ratio(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}×")
    } else if x >= 10.0 {
        format!("{x:.1}×")
    } else {
        format!("{x:.2}×")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders() {
        let mut t = Table::new("T", &["a", "b"]);
        t.rows.push(vec![code("x | y"), ratio(0.4123)]);
        t.notes.push("note".into());
        assert_eq!(
            t.markdown(),
            "### T\n\n| a | b |\n|---|---|\n| `x \\| y` | 0.41× |\n\nnote\n"
        );
        assert_eq!(ratio(312.4), "312×");
        assert_eq!(mib(3 << 20), "3.0");
    }
}
