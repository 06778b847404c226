//! `logmr report --svg` rendered by a real browser (headless Chromium): the
//! bars land where the SVG says, in their series' colours.

use std::process::Command;

use logmr_e2e::{TempDir, binary};

/// Attribute `name` of an SVG element's text.
fn attr<'a>(element: &'a str, name: &str) -> &'a str {
    let at = element.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    &element[at..at + element[at..].find('"').unwrap()]
}

fn rgb(hex: &str) -> [u8; 3] {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

/// A PNG screenshot of `url` at `width`×`height`: its pixels, the bytes per
/// row and the bytes per pixel.
fn screenshot(url: &str, width: u32, height: u32, dir: &TempDir) -> (Vec<u8>, usize, usize) {
    let png = dir.join("shot.png");
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(url)
        .output()
        .expect(
            "chromium must be installed: bash tests/run.sh installs it (Debian package chromium)",
        );
    assert!(
        png.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = png::Decoder::new(std::fs::File::open(&png).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let per_pixel = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    pixels.truncate(info.buffer_size());
    (pixels, info.line_size, per_pixel)
}

#[test]
fn chromium_draws_the_bars_where_the_svg_puts_them() {
    let dir = TempDir::new("report-render");
    // A line without a time sorts first: the chart is still the timeline.
    let input = "DEBUG|-\t7\nINFO|2024-12-10T00\t600\nERROR|2024-12-10T00\t200\n\
                 INFO|2024-12-10T02\t300\nWARN|2024-12-10T02\t100\nDEBUG|2024-12-10T03\t50\n";
    let svg_path = dir.join("chart.svg");
    let mut child = Command::new(binary("logmr"))
        .args(["report", "--svg"])
        .arg(&svg_path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("7 line(s) have no time"), "{err}");
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(
        svg.contains(">Log lines per level and hour</text>"),
        "{svg}"
    );
    assert!(
        svg.contains("7 line(s) without a timestamp are not drawn"),
        "{svg}"
    );

    let (pixels, stride, per_pixel) =
        screenshot(&format!("file://{}", svg_path.display()), 960, 440, &dir);
    let at = |x: f64, y: f64| {
        let i = y as usize * stride + x as usize * per_pixel;
        [pixels[i], pixels[i + 1], pixels[i + 2]]
    };
    let close = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 3);

    let bars: Vec<&str> = svg.split("<rect class=\"bar\"").skip(1).collect();
    assert_eq!(bars.len(), 5);
    for bar in bars {
        let (x, y) = (
            attr(bar, "x").parse::<f64>().unwrap(),
            attr(bar, "y").parse::<f64>().unwrap(),
        );
        let (w, h) = (
            attr(bar, "width").parse::<f64>().unwrap(),
            attr(bar, "height").parse::<f64>().unwrap(),
        );
        let centre = at(x + w / 2.0, y + h / 2.0);
        assert!(
            close(centre, rgb(attr(bar, "fill"))),
            "{} {}: {centre:?} at the centre, {} wanted",
            attr(bar, "data-series"),
            attr(bar, "data-bucket"),
            attr(bar, "fill")
        );
    }
    // The empty 01:00 slot and the space above the shorter columns are
    // background.
    let slot = 710.0 / 4.0;
    assert!(
        close(at(80.0 + 1.5 * slot, 300.0), [255, 255, 255]),
        "01:00 is empty"
    );
    assert!(
        close(at(80.0 + 3.5 * slot, 150.0), [255, 255, 255]),
        "03:00 is short"
    );
}

/// The SVG chart `logmr report` draws of `input`.
fn draw(input: &str, dir: &TempDir) -> String {
    let path = dir.join("chart.svg");
    let out = logmr_harness::run_with_stdin(
        Command::new(binary("logmr"))
            .args(["report", "--svg"])
            .arg(&path),
        input.as_bytes(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    std::fs::read_to_string(&path).unwrap()
}

/// The text of a chart as Chromium lays it out: each `<text>` element's
/// class, box on the page (left, top, right, bottom) and content.
fn laid_out_text(svg: &str, dir: &TempDir) -> Vec<(String, [f64; 4], String)> {
    let page = dir.join("measure.html");
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html><body style=\"margin:0\"><div id=\"chart\">{svg}</div>\
             <pre id=\"out\"></pre><script>\
             const rows = [];\
             const root = document.querySelector('#chart svg').getBoundingClientRect();\
             for (const t of document.querySelectorAll('#chart text')) {{\
               const b = t.getBoundingClientRect();\
               rows.push([t.getAttribute('class') || '', b.left - root.left, b.top - root.top,\
                          b.right - root.left, b.bottom - root.top, t.firstChild.textContent].join('\\t'));\
             }}\
             document.getElementById('out').textContent = rows.join('\\n');\
             </script></body></html>"
        ),
    )
    .unwrap();
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect(
            "chromium must be installed: bash tests/run.sh installs it (Debian package chromium)",
        );
    let dom = String::from_utf8_lossy(&out.stdout);
    let open = "<pre id=\"out\">";
    let start = dom.find(open).expect("the page ran") + open.len();
    let text = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    text.lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let n = |i: usize| {
                f[i].parse::<f64>()
                    .unwrap_or_else(|_| panic!("not a number in {line:?}"))
            };
            (
                f[0].to_string(),
                [n(1), n(2), n(3), n(4)],
                f[5].replace("&amp;", "&"),
            )
        })
        .collect()
}

#[test]
fn chromium_finds_every_label_title_and_note_inside_the_bar_chart() {
    let dir = TempDir::new("report-layout");
    // 40 keys, some longer than a label: the 30 largest are drawn.
    let input: String = (0..40)
        .map(|i| {
            let long = if i % 3 == 0 {
                " WHILE READING <NUM> MB OF WWW.EXAMPLE.COM FROM <HOST> AT <NUM>"
            } else {
                ""
            };
            format!(
                "ERROR|0123456789{i:02}|event number {i}{long}\t{}\n",
                1000 - i
            )
        })
        .collect();
    let svg = draw(&input, &dir);
    let texts = laid_out_text(&svg, &dir);

    let bar_left: f64 = attr(svg.split("<rect class=\"bar\"").nth(1).unwrap(), "x")
        .parse()
        .unwrap();
    let height: f64 = attr(&svg, "height").parse().unwrap();
    for (class, [left, top, right, bottom], text) in &texts {
        assert!(
            *left >= 0.0 && *top >= 0.0 && *right <= 960.0 && *bottom <= height,
            "{text:?} ({class}) lies outside the chart: {left} {top} {right} {bottom}"
        );
        if class == "label" {
            assert!(
                *right <= bar_left,
                "{text:?} runs into its bar: {right} > {bar_left}"
            );
        }
    }
    let labels: Vec<&(String, [f64; 4], String)> =
        texts.iter().filter(|(c, _, _)| c == "label").collect();
    assert_eq!(labels.len(), 30);
    for pair in labels.windows(2) {
        assert!(
            pair[0].1[3] <= pair[1].1[1] + 0.5,
            "{:?} overlaps {:?}",
            pair[0].2,
            pair[1].2
        );
    }
    assert!(
        labels.iter().any(|(_, _, t)| t.ends_with('…')),
        "no cut label"
    );
    let find = |class: &str| {
        texts
            .iter()
            .filter(|(c, _, _)| c == class)
            .map(|(_, _, t)| t.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(find("subtitle"), ["top 30 of 40 keys"]);
    assert_eq!(find("axis-title"), ["lines"]);
    assert!(
        texts
            .iter()
            .any(|(_, _, t)| t == "Log lines per level and template")
    );
}

/// Do two boxes (left, top, right, bottom) overlap?
fn overlap(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] < b[2] - 0.5 && b[0] < a[2] - 0.5 && a[1] < b[3] - 0.5 && b[1] < a[3] - 0.5
}

#[test]
fn chromium_finds_the_timelines_text_apart_and_inside() {
    let dir = TempDir::new("report-timeline-layout");
    // 40 series of long names, over 30 hours.
    let input: String = (0..40)
        .flat_map(|s| {
            (0..30).map(move |h| {
                format!(
                    "WARN|{s:02}c0ffee00aa|slow response from WWW.EXAMPLE.COM in <NUM> MS|2024-12-{:02}T{:02}\t{}\n",
                    10 + h / 24,
                    h % 24,
                    s + h
                )
            })
        })
        .collect();
    let svg = draw(&input, &dir);
    assert!(svg.contains("data-bucket"), "not a timeline");
    let texts = laid_out_text(&svg, &dir);
    let height: f64 = attr(&svg, "height").parse().unwrap();
    for (i, (class, b, text)) in texts.iter().enumerate() {
        assert!(
            b[0] >= 0.0 && b[1] >= 0.0 && b[2] <= 960.0 && b[3] <= height,
            "{text:?} ({class}) lies outside the chart: {b:?}"
        );
        for (other_class, o, other) in &texts[i + 1..] {
            assert!(
                !overlap(*b, *o),
                "{text:?} ({class}) overlaps {other:?} ({other_class})"
            );
        }
    }
    let titles: Vec<&str> = texts
        .iter()
        .filter(|(c, _, _)| c == "axis-title")
        .map(|(_, _, t)| t.as_str())
        .collect();
    assert_eq!(titles, ["lines", "time, per hour"]);
    assert!(
        texts
            .iter()
            .any(|(c, _, t)| c == "legend" && t.starts_with("and "))
    );
    assert!(
        texts
            .iter()
            .any(|(_, _, t)| t == "Log lines per level, template and hour")
    );
}
