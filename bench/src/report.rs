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

/// The heading of the notes (bench/notes.md) that end BENCHMARKS.md.
pub const NOTES_HEADING: &str = "## Where logmr stands";

/// The YARN section of BENCHMARKS.md: written by the `yarn` program between
/// these markers, and carried over by `compare` when it rewrites the file.
pub const YARN_BEGIN: &str =
    "<!-- section yarn: written by `cargo run --release -p logmr-bench --bin yarn` -->";
pub const YARN_END: &str = "<!-- end of section yarn -->";

/// The YARN section of a summary, markers included, if it has one.
pub fn yarn_section(summary: &str) -> Option<&str> {
    let start = summary.find(YARN_BEGIN)?;
    let end = summary[start..].find(YARN_END)? + start + YARN_END.len();
    Some(&summary[start..end])
}

/// `summary` with its YARN section replaced by `section` (markers
/// included), or, when it has none, with `section` put before `before`
/// (a heading), else at the end.
pub fn with_yarn_section(summary: &str, section: &str, before: &str) -> String {
    if let Some(old) = yarn_section(summary) {
        return summary.replacen(old, section, 1);
    }
    match summary.find(before) {
        Some(at) => format!("{}{section}\n\n{}", &summary[..at], &summary[at..]),
        None => format!("{}\n{section}\n", summary.trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_yarn_section_is_replaced_or_inserted_once() {
        let section = format!("{YARN_BEGIN}\nnew\n{YARN_END}");
        let plain = "# B\n\n### T\n\n## Notes\n";
        let first = with_yarn_section(plain, &section, "## Notes");
        assert_eq!(first, format!("# B\n\n### T\n\n{section}\n\n## Notes\n"));
        let again = format!("{YARN_BEGIN}\nnewer\n{YARN_END}");
        let second = with_yarn_section(&first, &again, "## Notes");
        assert_eq!(second, format!("# B\n\n### T\n\n{again}\n\n## Notes\n"));
        assert_eq!(yarn_section(&second), Some(&again[..]));
        assert_eq!(yarn_section(plain), None);
        assert_eq!(
            with_yarn_section("# B", &section, "## Notes"),
            format!("# B\n{section}\n")
        );
    }

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
