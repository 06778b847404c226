//! A self-contained HTML page: the chart, then the table of keys.

use std::fmt::Write;

use super::{Row, by_count, escape};
use crate::civil::Bucket;
use crate::keys::names::Name;

/// Most rows listed in the page's table.
pub const MAX_ROWS: usize = 200;

/// The rows of the page's table: in time order when the keys have a time
/// part (then by severity, lines without a time last), largest first
/// otherwise.
fn table_order<'r>(rows: &'r [Row], names: &[Name], timed: bool) -> Vec<&'r Row> {
    let at = names.iter().position(|n| matches!(n, Name::Time(_)));
    let Some(at) = at.filter(|_| timed) else {
        return by_count(rows);
    };
    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by_cached_key(|row| {
        let mut parts: Vec<&str> = row.key.split('|').collect();
        let time = Bucket::parse_label(parts.remove(at)).map_or(i64::MAX, |(m, _)| m);
        let series = parts.join("|");
        (time, super::rank(&series), series)
    });
    sorted
}

/// The page for `rows`, whose key parts are `names`, titled `title`: the
/// SVG `chart` of them, then their table (in time order when `timed`, the
/// chart being their timeline).
pub fn page(rows: &[Row], names: &[Name], timed: bool, title: &str, chart: &str) -> String {
    let total = super::total(rows.iter().map(|r| r.count));
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n\
         <style>\nbody {{ font-family: Helvetica, Arial, sans-serif; margin: 2em; color: #222; }}\n\
         table {{ border-collapse: collapse; margin-top: 1.5em; }}\n\
         td, th {{ padding: 2px 10px; text-align: left; }}\n\
         td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}\n\
         tr:nth-child(even) {{ background: #f4f4f4; }}\n</style>\n</head>\n<body>\n",
        t = escape(title)
    );
    out.push_str(chart);
    let _ = writeln!(
        out,
        "<table>\n<tr><th>key</th><th>lines</th><th>share</th></tr>"
    );
    for row in table_order(rows, names, timed).into_iter().take(MAX_ROWS) {
        let share = if total > 0 {
            100.0 * row.count as f64 / total as f64
        } else {
            0.0
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{share:.1}%</td></tr>",
            escape(&row.key),
            row.count
        );
    }
    if rows.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "<tr><td colspan=\"3\">… and {} more keys</td></tr>",
            rows.len() - MAX_ROWS
        );
    }
    let _ = writeln!(
        out,
        "<tr><th>total</th><td class=\"n\">{total}</td><td></td></tr>\n</table>\n</body>\n</html>"
    );
    out
}
