//! A self-contained SVG chart of reduce output: stacked columns per time
//! bucket and level when the keys hold a time bucket, horizontal bars per
//! key otherwise. Plain SVG 1.1 with inline attributes, so it renders the
//! same in a browser, an image viewer or an `<img>` tag.

use std::fmt::Write;

use super::{Row, by_count, colour, escape, timeline};

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 440.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 90.0;
/// Most keys drawn as horizontal bars.
pub const MAX_BARS: usize = 30;

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

fn header(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n\
         <rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#ffffff\"/>\n\
         <text x=\"{LEFT}\" y=\"28\" font-size=\"16\" font-weight=\"bold\">{}</text>\n",
        escape(title)
    );
}

/// The chart of `rows`, titled `title`.
pub fn chart(rows: &[Row], title: &str) -> String {
    let mut out = String::new();
    header(&mut out, title);
    match timeline(rows) {
        Some(t) => columns(&mut out, &t),
        None => bars(&mut out, rows),
    }
    out.push_str("</svg>\n");
    out
}

fn columns(out: &mut String, t: &super::Timeline) {
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
        let ly = TOP + plot_h + 14.0;
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
    // Legend, most severe first, with each series' total.
    let lx = WIDTH - RIGHT + 20.0;
    for (i, (s, name)) in t.series.iter().enumerate().rev().enumerate() {
        let ly = TOP + 10.0 + i as f64 * 20.0;
        let total = super::total(t.counts[s].iter().copied());
        let _ = writeln!(
            out,
            "<rect class=\"legend\" x=\"{lx}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{} ({total})</text>",
            ly - 10.0,
            colour(name, s),
            lx + 18.0,
            ly,
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

fn bars(out: &mut String, rows: &[Row]) {
    let sorted: Vec<&Row> = by_count(rows).into_iter().take(MAX_BARS).collect();
    let max = sorted.first().map_or(0, |r| r.count).max(1) as f64;
    let label_w = 260.0;
    let plot_w = WIDTH - label_w - 100.0;
    let row_h = ((HEIGHT - TOP - 20.0) / sorted.len().max(1) as f64).min(28.0);
    for (i, row) in sorted.iter().enumerate() {
        let y = TOP + i as f64 * row_h;
        let w = row.count as f64 / max * plot_w;
        let name = row.key.split('|').next().unwrap_or("");
        let key: String = row.key.chars().take(40).collect();
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar\" data-series=\"{}\" data-count=\"{}\" x=\"{label_w}\" y=\"{:.1}\" width=\"{w:.2}\" height=\"{:.1}\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#555\">{}</text>",
            label_w - 8.0,
            y + row_h * 0.65,
            escape(&key),
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
}
