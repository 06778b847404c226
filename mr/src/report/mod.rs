//! `logmr report`: reduce output made into something to look at. A terminal
//! table with proportional bars ([`table`]), and a self-contained SVG chart
//! ([`svg`]), alone or inside an HTML page ([`html`]): stacked columns of
//! each level over time when the keys hold a time bucket
//! (`logmr map --by level,hour`), horizontal bars per key otherwise.

pub mod html;
pub mod svg;
pub mod table;
mod timeline;

pub use timeline::{Timeline, timeline};

/// One `KEY<TAB>TOTAL` row of reduce output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub key: String,
    pub count: u64,
}

impl Row {
    pub fn new(key: &[u8], count: u64) -> Row {
        Row {
            key: String::from_utf8_lossy(key).into_owned(),
            count,
        }
    }
}

/// Rows largest first, ties in key order.
/// The sum of `counts`, exact: many u64 totals can pass u64 together.
pub fn total(counts: impl IntoIterator<Item = u64>) -> u128 {
    counts.into_iter().map(u128::from).sum()
}

/// The sum of `counts`, held at u64::MAX rather than wrapped, for what is
/// drawn on a u64 scale.
pub fn saturating_total(counts: impl IntoIterator<Item = u64>) -> u64 {
    counts.into_iter().fold(0, u64::saturating_add)
}

pub fn by_count(rows: &[Row]) -> Vec<&Row> {
    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    sorted
}

/// `text` escaped for XML and HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Levels from least to most severe, the order series are stacked in.
const SEVERITY: &[&str] = &[
    "TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "SEVERE", "CRITICAL", "ALERT", "FATAL",
    "EMERG", "UNKNOWN",
];

/// The stacking rank of a series name: known levels by severity, then the
/// rest.
pub fn rank(name: &str) -> usize {
    SEVERITY
        .iter()
        .position(|l| *l == name)
        .unwrap_or(SEVERITY.len())
}

/// A fill colour for a series: fixed for the levels, from a palette for
/// other names.
pub fn colour(name: &str, index: usize) -> &'static str {
    match name {
        "TRACE" => "#c7c7c7",
        "DEBUG" => "#8c8c8c",
        "INFO" => "#4e79a7",
        "NOTICE" => "#76b7b2",
        "WARN" => "#f28e2b",
        "ERROR" => "#e15759",
        "SEVERE" | "CRITICAL" => "#b6202a",
        "ALERT" | "FATAL" | "EMERG" => "#6b0f1a",
        "UNKNOWN" => "#bab0ac",
        _ => {
            const PALETTE: &[&str] = &[
                "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#4e79a7", "#f28e2b",
                "#76b7b2",
            ];
            PALETTE[index % PALETTE.len()]
        }
    }
}
