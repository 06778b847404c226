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
    let input = "INFO|2024-12-10T00\t600\nERROR|2024-12-10T00\t200\nINFO|2024-12-10T02\t300\n\
                 WARN|2024-12-10T02\t100\nDEBUG|2024-12-10T03\t50\n";
    let svg_path = dir.join("chart.svg");
    let mut child = Command::new(binary("logmr"))
        .args(["report", "--svg"])
        .arg(&svg_path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    let svg = std::fs::read_to_string(&svg_path).unwrap();

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
