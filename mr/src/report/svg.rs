//! A self-contained SVG chart of reduce output: stacked columns per time
//! bucket and level when the keys hold a time bucket, horizontal bars per
//! key otherwise. Plain SVG 1.1 with inline attributes, so it renders the
//! same in a browser, an image viewer or an `<img>` tag.

use std::fmt::Write;

use super::{Row, Timeline, by_count, colour, escape};
use crate::keys::names::Name;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 440.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 110.0;
/// Most keys drawn as horizontal bars.
pub const MAX_BARS: usize = 30;
/// The least height of a bar's row: its 12-pixel label and a gap.
const MIN_ROW: f64 = 18.0;

/// Round tick steps for an axis up to `max`: 1, 2 or 5 times a power of ten.
pub fn ticks(max: u64) -> Vec<u64> {
    if max == 0 {
        return vec![0];
    }
    let rough = max as f64 / 5.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * power)
        .max(1.0) as u64;
    (0u64..)
        .map_while(|i| i.checked_mul(step))
        .take_while(|t| *t < max.saturating_add(step))
        .collect()
}

fn header(out: &mut String, title: &str, height: f64) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n\
         <rect width=\"{WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/>\n\
         <text x=\"{LEFT}\" y=\"28\" font-size=\"16\" font-weight=\"bold\">{}</text>\n",
        escape(title)
    );
}

/// The advance widths of Helvetica (and of Arial and Liberation Sans, its
/// metric twins), in thousandths of the font size, for ' ' to '~'.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// The width of `c` in thousandths of an em: Helvetica's for ASCII, a full
/// em outside it.
fn char_width(c: char) -> u32 {
    match c {
        ' '..='~' => u32::from(HELVETICA[c as usize - 32]),
        _ => 1000,
    }
}

/// Thousandths of an em as pixels at `size`, with a tenth more for a
/// wider fallback font.
fn pixels(thousandths: u32, size: f64) -> f64 {
    f64::from(thousandths) / 1000.0 * size * 1.1
}

/// The width of `text` set at `size` pixels.
pub fn text_width(text: &str, size: f64) -> f64 {
    pixels(text.chars().map(char_width).sum(), size)
}

/// `text` cut to fit in `width` pixels at `size`, the cut marked with an
/// ellipsis.
pub fn fit(text: &str, width: f64, size: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let room = width - text_width("…", size);
    let mut cut = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = pixels(char_width(c), size);
        if used + w > room {
            break;
        }
        used += w;
        cut.push(c);
    }
    cut.push('…');
    cut
}

/// An axis title: `text` centred at (`x`, `y`), turned by `angle` degrees.
fn axis_title(out: &mut String, text: &str, x: f64, y: f64, angle: i32) {
    let _ = writeln!(
        out,
        "<text class=\"axis-title\" x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"middle\" \
         transform=\"rotate({angle} {x:.1} {y:.1})\" fill=\"#333\">{}</text>",
        escape(text)
    );
}

/// The chart of `rows`, whose key parts are `names`, titled `title`: the
/// columns of their `timeline` when they have one, bars otherwise.
pub fn chart(rows: &[Row], names: &[Name], timeline: Option<&Timeline>, title: &str) -> String {
    let mut out = String::new();
    match timeline {
        Some(t) => {
            header(&mut out, title, HEIGHT);
            columns(&mut out, t);
        }
        None => {
            let shown = rows.len().min(MAX_BARS);
            // Rows of at least MIN_ROW, so that labels never overlap.
            let height = HEIGHT.max(TOP + shown as f64 * MIN_ROW + 50.0);
            header(&mut out, title, height);
            bars(&mut out, rows, names, height);
        }
    }
    out.push_str("</svg>\n");
    out
}

fn columns(out: &mut String, t: &Timeline) {
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = t.buckets.len();
    let totals: Vec<u64> = (0..n)
        .map(|b| super::saturating_total(t.counts.iter().map(|s| s[b])))
        .collect();
    let ticks = ticks(totals.iter().copied().max().unwrap_or(0));
    let top = (*ticks.last().unwrap()).max(1) as f64;
    let y = |v: f64| TOP + plot_h - v / top * plot_h;
    for tick in &ticks {
        let ty = y(*tick as f64);
        let _ = writeln!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\" stroke=\"#e0e0e0\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">{tick}</text>",
            LEFT + plot_w,
            LEFT - 6.0,
            ty + 4.0
        );
    }
    let slot = plot_w / n as f64;
    let gap = if slot > 4.0 { 1.0 } else { 0.0 };
    for (b, bucket) in t.buckets.iter().enumerate() {
        let x = LEFT + b as f64 * slot;
        let mut base = 0.0;
        for (s, name) in t.series.iter().enumerate() {
            let v = t.counts[s][b] as f64;
            if v == 0.0 {
                continue;
            }
            let _ = writeln!(
                out,
                "<rect class=\"bar\" data-series=\"{}\" data-bucket=\"{bucket}\" data-count=\"{v}\" x=\"{x:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{}\"><title>{} {bucket}: {v}</title></rect>",
                escape(name),
                y(base + v),
                (slot - gap).max(0.5),
                y(base) - y(base + v),
                colour(name, s),
                escape(name),
            );
            base += v;
        }
    }
    // About eight labels along the time axis.
    let every = n.div_ceil(8).max(1);
    for (b, bucket) in t.buckets.iter().enumerate().step_by(every) {
        let x = LEFT + (b as f64 + 0.5) * slot;
        let ly = TOP + plot_h + 18.0;
        let _ = writeln!(
            out,
            "<text x=\"{x:.1}\" y=\"{ly:.1}\" text-anchor=\"end\" transform=\"rotate(-35 {x:.1} {ly:.1})\" fill=\"#555\">{bucket}</text>"
        );
    }
    let _ = writeln!(
        out,
        "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>",
        LEFT + plot_w,
        TOP + plot_h,
        TOP + plot_h
    );
    axis_title(out, "lines", 18.0, TOP + plot_h / 2.0, -90);
    axis_title(
        out,
        &format!("time, per {}", t.step.name()),
        LEFT + plot_w / 2.0,
        HEIGHT - 26.0,
        0,
    );
    // Legend, most severe first, with each series' total; as many as fit.
    let lx = WIDTH - RIGHT + 20.0;
    let room = ((HEIGHT - TOP - 10.0) / 20.0) as usize;
    let shown = if t.series.len() > room {
        room - 1
    } else {
        room
    };
    for (i, (s, name)) in t.series.iter().enumerate().rev().enumerate() {
        let ly = TOP + 10.0 + i as f64 * 20.0;
        if i == shown {
            let _ = writeln!(
                out,
                "<text class=\"legend\" x=\"{lx}\" y=\"{ly:.1}\" fill=\"#555\">and {} more</text>",
                t.series.len() - shown
            );
            break;
        }
        let total = super::total(t.counts[s].iter().copied());
        let entry = fit(&format!("{name} ({total})"), RIGHT - 40.0, 12.0);
        let _ = writeln!(
            out,
            "<rect class=\"legend\" x=\"{lx}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text class=\"legend\" x=\"{:.1}\" y=\"{:.1}\">{}<title>{} ({total})</title></text>",
            ly - 10.0,
            colour(name, s),
            lx + 18.0,
            ly,
            escape(&entry),
            escape(name)
        );
    }
    let untimed = super::total(t.untimed.iter().copied());
    if untimed > 0 {
        let _ = writeln!(
            out,
            "<text x=\"{LEFT}\" y=\"{:.1}\" fill=\"#555\">{untimed} line(s) without a timestamp are not drawn</text>",
            HEIGHT - 8.0
        );
    }
}

/// A key as a label: its parts without a template id, which the title
/// beside the bar still shows.
fn label(key: &str, names: &[Name]) -> String {
    let Some(at) = names.iter().position(|n| *n == Name::TemplateId) else {
        return key.to_string();
    };
    let parts: Vec<&str> = key.split('|').collect();
    if parts.len() != names.len() {
        return key.to_string();
    }
    let mut kept = parts;
    kept.remove(at);
    kept.join("|")
}

fn bars(out: &mut String, rows: &[Row], names: &[Name], height: f64) {
    let sorted: Vec<&Row> = by_count(rows).into_iter().take(MAX_BARS).collect();
    if rows.len() > MAX_BARS {
        let _ = writeln!(
            out,
            "<text class=\"subtitle\" x=\"{LEFT}\" y=\"44\" fill=\"#555\">top {MAX_BARS} of {} keys</text>",
            rows.len()
        );
    }
    let max = sorted.first().map_or(0, |r| r.count).max(1) as f64;
    let label_w = 340.0;
    let plot_w = WIDTH - label_w - 100.0;
    let row_h = ((height - TOP - 50.0) / sorted.len().max(1) as f64).min(28.0);
    for (i, row) in sorted.iter().enumerate() {
        let y = TOP + i as f64 * row_h;
        let w = row.count as f64 / max * plot_w;
        let name = row.key.split('|').next().unwrap_or("");
        let key = fit(&label(&row.key, names), label_w - 16.0, 12.0);
        let _ = writeln!(
            out,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}<title>{}</title></text>\
             <rect class=\"bar\" data-series=\"{}\" data-count=\"{}\" x=\"{label_w}\" y=\"{:.1}\" width=\"{w:.2}\" height=\"{:.1}\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#555\">{}</text>",
            label_w - 8.0,
            y + row_h * 0.65,
            escape(&key),
            escape(&row.key),
            escape(&row.key),
            row.count,
            y + 2.0,
            row_h - 4.0,
            colour(name, i),
            label_w + w + 6.0,
            y + row_h * 0.65,
            row.count
        );
    }
    let bottom = TOP + sorted.len() as f64 * row_h;
    axis_title(out, "lines", label_w + plot_w / 2.0, bottom + 22.0, 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_ticks() {
        assert_eq!(ticks(0), [0]);
        assert_eq!(ticks(9), [0, 2, 4, 6, 8, 10]);
        assert_eq!(ticks(100), [0, 20, 40, 60, 80, 100]);
        assert_eq!(ticks(1234), [0, 500, 1000, 1500]);
    }

    #[test]
    fn cut_labels_end_in_an_ellipsis_and_fit() {
        assert_eq!(fit("short", 100.0, 12.0), "short");
        for text in ["W".repeat(60), "i".repeat(300), "界".repeat(40)] {
            let cut = fit(&text, 200.0, 12.0);
            assert!(cut.ends_with('…'), "{cut}");
            assert!(text_width(&cut, 12.0) <= 200.0, "{cut}");
            assert!(text_width(&cut, 12.0) > 180.0, "{cut}");
        }
    }
}
