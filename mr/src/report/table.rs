//! The terminal table: one row per key, largest first, with a bar as long
//! as its share of the largest count.

use std::io::{self, Write};

use super::{Row, by_count};

/// Longest key shown whole.
const MAX_KEY: usize = 60;

/// A bar of `fraction` (0 to 1) of `width` cells, in eighths of a cell.
pub fn bar(fraction: f64, width: usize) -> String {
    const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = (fraction.clamp(0.0, 1.0) * width as f64 * 8.0).round() as usize;
    let mut out = "█".repeat(eighths / 8);
    out.push_str(EIGHTHS[eighths % 8]);
    if out.is_empty() && fraction > 0.0 {
        out.push('▏');
    }
    out
}

fn shown(key: &str) -> String {
    if key.chars().count() <= MAX_KEY {
        key.to_string()
    } else {
        let mut cut: String = key.chars().take(MAX_KEY - 1).collect();
        cut.push('…');
        cut
    }
}

/// Writes the table of `rows` with bars of up to `width` cells.
pub fn write(rows: &[Row], width: usize, out: &mut dyn Write) -> io::Result<()> {
    let sorted = by_count(rows);
    let total = super::total(rows.iter().map(|r| r.count));
    let max = sorted.first().map_or(0, |r| r.count);
    let keys: Vec<String> = sorted.iter().map(|r| shown(&r.key)).collect();
    let key_width = keys
        .iter()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let count_width = total.to_string().len().max(5);
    for (row, key) in sorted.iter().zip(&keys) {
        let share = if total > 0 {
            100.0 * row.count as f64 / total as f64
        } else {
            0.0
        };
        let fraction = if max > 0 {
            row.count as f64 / max as f64
        } else {
            0.0
        };
        let pad = key_width - key.chars().count();
        writeln!(
            out,
            "{key}{:pad$}  {:>count_width$}  {share:5.1}%  {}",
            "",
            row.count,
            bar(fraction, width)
        )?;
    }
    writeln!(out, "{:key_width$}  {total:>count_width$}  100.0%", "total")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_proportional() {
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.5, 4), "██");
        assert_eq!(bar(0.5625, 4), "██▎");
        assert_eq!(bar(0.0, 4), "");
        assert_eq!(bar(0.0001, 4), "▏");
    }

    #[test]
    fn table() {
        let rows = vec![
            Row::new(b"INFO", 60),
            Row::new(b"ERROR", 30),
            Row::new(b"DEBUG", 10),
        ];
        let mut out = Vec::new();
        write(&rows, 10, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "INFO      60   60.0%  ██████████\n\
             ERROR     30   30.0%  █████\n\
             DEBUG     10   10.0%  █▋\n\
             total    100  100.0%\n"
        );
    }
}
