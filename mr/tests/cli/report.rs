//! `logmr report`: its table, charts, and a chart that cannot be written.

use crate::util::*;

/// Attribute `name` of an SVG element's text.
fn attr<'a>(element: &'a str, name: &str) -> &'a str {
    let at = element.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    &element[at..at + element[at..].find('"').unwrap()]
}

#[test]
fn report_totals_never_wrap_and_its_width_is_bounded() {
    let max = u64::MAX;
    let dir = TempDir::new("cli");
    let svg = dir.join("chart.svg");
    for input in [
        format!("A\t{max}\nB\t{max}\n"),
        format!("INFO|2024-12-10T00\t{max}\nERROR|2024-12-10T00\t{max}\nINFO|-\t{max}\n"),
    ] {
        let out = run(
            &["report", "--svg", svg.to_str().unwrap()],
            input.as_bytes(),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let table = stdout(&out);
        let last: Vec<&str> = table.lines().last().unwrap().split_whitespace().collect();
        let want = (u128::from(max) * input.lines().count() as u128).to_string();
        assert_eq!(last, ["total", want.as_str(), "100.0%"], "{table}");
        let chart = std::fs::read_to_string(&svg).unwrap();
        for number in chart
            .split(['"', ' ', '<', '>'])
            .filter_map(|w| w.parse::<f64>().ok())
        {
            assert!(
                number.is_finite() && number.abs() < 1e21,
                "{number} in {chart}"
            );
        }
    }
    // The separator comes from the job's setting when no flag is given, as
    // for `top`.
    for command in ["report", "top"] {
        let out = run_cmd(
            logmr()
                .arg(command)
                .env("stream_reduce_output_field_separator", ","),
            b"A,2\nB,1\n",
        );
        assert!(out.status.success(), "{command}: {}", stderr(&out));
        assert!(stdout(&out).starts_with("A"), "{command}: {}", stdout(&out));
        assert!(stderr(&out).is_empty(), "{command}: {}", stderr(&out));
    }
    for width in ["0", "100000000000"] {
        let out = run(&["report", "--width", width], b"A\t1\n");
        assert_eq!(out.status.code(), Some(2), "{width}: {}", stderr(&out));
    }
    assert!(
        run(&["report", "--width", "1000"], b"A\t1\n")
            .status
            .success()
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_chart_that_cannot_be_written_leaves_the_previous_one() {
    let dir = TempDir::new("cli");
    let svg = dir.write("chart.svg", b"<svg>previous</svg>\n");
    // A file size limit of 1 KiB stands for a full disk.
    let script = format!(
        "trap '' XFSZ; ulimit -f 1; for i in $(seq 40); do printf 'KEY%d\\t%d\\n' $i $i; done | '{}' report --svg '{}'",
        env!("CARGO_BIN_EXE_logmr"),
        svg.display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("chart.svg"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&svg).unwrap(),
        "<svg>previous</svg>\n"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["chart.svg"], "no temporary file is left");
}

#[test]
fn report_draws_what_it_reads() {
    let input = "INFO|2024-12-10T00\t60\nERROR|2024-12-10T00\t20\nINFO|2024-12-10T02\t30\n\
                 WARN|2024-12-10T02\t10\nINFO|-\t7\n";
    let dir = TempDir::new("cli");
    let svg = dir.join("chart.svg");
    let html = dir.join("page.html");
    let out = run(
        &[
            "report",
            "--svg",
            svg.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ],
        input.as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    let first: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(first[..3], ["INFO|2024-12-10T00", "60", "47.2%"], "{table}");
    let last: Vec<&str> = table.lines().last().unwrap().split_whitespace().collect();
    assert_eq!(last, ["total", "127", "100.0%"], "{table}");

    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"));
    let bars: Vec<&str> = svg.split("<rect class=\"bar\"").skip(1).collect();
    // Three buckets (the empty 01:00 included), four non-zero cells.
    assert_eq!(bars.len(), 4);
    let px_per_line: Vec<f64> = bars
        .iter()
        .map(|b| {
            attr(b, "height").parse::<f64>().unwrap()
                / attr(b, "data-count").parse::<f64>().unwrap()
        })
        .collect();
    for p in &px_per_line {
        assert!(
            (p - px_per_line[0]).abs() < 0.01,
            "heights proportional: {px_per_line:?}"
        );
    }
    let x_of = |series: &str, bucket: &str| {
        bars.iter()
            .find(|b| attr(b, "data-series") == series && attr(b, "data-bucket") == bucket)
            .map(|b| attr(b, "x").parse::<f64>().unwrap())
    };
    // Three slots across the 710-pixel plot: 01:00 is drawn, empty, between.
    let apart = x_of("INFO", "2024-12-10T02").unwrap() - x_of("INFO", "2024-12-10T00").unwrap();
    assert!((apart - 2.0 * 710.0 / 3.0).abs() < 0.01, "{apart}");
    assert_eq!(
        x_of("ERROR", "2024-12-10T00"),
        x_of("INFO", "2024-12-10T00"),
        "stacked"
    );
    assert!(svg.contains("7 line(s) without a timestamp are not drawn"));
    for legend in ["ERROR (20)", "WARN (10)", "INFO (90)"] {
        assert!(svg.contains(legend), "{legend}");
    }

    let html = std::fs::read_to_string(&html).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>")
            && html.contains("<svg ")
            && html.contains("<td>INFO|-</td>")
    );
}

#[test]
fn the_html_table_of_a_timeline_is_in_time_order() {
    let input =
        "INFO|2024-12-10T02\t90\nINFO|-\t7\nERROR|2024-12-10T00\t5\nINFO|2024-12-10T00\t60\n";
    let dir = TempDir::new("cli");
    let html = dir.join("page.html");
    let out = run(
        &["report", "--html", html.to_str().unwrap()],
        input.as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("7 line(s) have no time"),
        "{}",
        stderr(&out)
    );
    let html = std::fs::read_to_string(&html).unwrap();
    let cells: Vec<&str> = html
        .split("<tr><td>")
        .skip(1)
        .map(|row| &row[..row.find("</td>").unwrap()])
        .collect();
    assert_eq!(
        cells,
        [
            "INFO|2024-12-10T00",
            "ERROR|2024-12-10T00",
            "INFO|2024-12-10T02",
            "INFO|-"
        ]
    );
    assert!(html.contains("<title>Log lines per level and hour</title>"));
}

#[test]
fn titles_say_what_the_keys_count_lines_per() {
    let dir = TempDir::new("cli");
    let svg = dir.join("chart.svg");
    for (input, title) in [
        ("INFO\t3\nWARN\t1\n", "Log lines per level"),
        (
            "ERROR|0123456789ab|disk full on <PATH>\t4\n",
            "Log lines per level and template",
        ),
        ("web-1|2024-12-10\t2\n", "Log lines per source and day"),
    ] {
        let out = run(
            &["report", "--svg", svg.to_str().unwrap()],
            input.as_bytes(),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(
            text.contains(&format!(">{title}</text>")),
            "{input:?}: {text}"
        );
    }
    let out = run(
        &["report", "--svg", svg.to_str().unwrap(), "--title", "Mine"],
        b"INFO\t1\n",
    );
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(&svg)
            .unwrap()
            .contains(">Mine</text>")
    );
}

#[test]
fn empty_input_has_nothing_to_draw() {
    let dir = TempDir::new("cli");
    let svg = dir.join("chart.svg");
    let out = run(&["report", "--svg", svg.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("nothing to draw; no chart was written"),
        "{}",
        stderr(&out)
    );
    assert!(!svg.exists());
}

#[test]
fn report_top_and_run_write_csv_and_json_with_named_parts() {
    let input = "ERROR|2024-12-10T14\t3\nINFO|2024-12-10T14\t1\n";
    let out = run(&["report", "--format", "json"], input.as_bytes());
    assert_eq!(
        stdout(&out),
        "{\"level\":\"ERROR\",\"hour\":\"2024-12-10T14\",\"count\":3,\"share\":75.0}\n\
         {\"level\":\"INFO\",\"hour\":\"2024-12-10T14\",\"count\":1,\"share\":25.0}\n"
    );
    let out = run(&["top", "-n", "1", "--format", "csv"], input.as_bytes());
    assert_eq!(stdout(&out), "level,hour,count\nERROR,2024-12-10T14,3\n");
    let log = "2024-12-10 14:33:21 [ERROR] machine-07: disk \"sda\", full\n";
    let out = run(
        &["run", "--by", "level,template", "--format", "csv", "-"],
        log.as_bytes(),
    );
    let csv = stdout(&out);
    let row = csv.lines().nth(1).unwrap();
    assert_eq!(csv.lines().next(), Some("level,template_id,template,count"));
    assert!(
        row.starts_with("ERROR,") && row.ends_with(",\"disk \"\"sda\"\", full\",1"),
        "{csv}"
    );
    let out = run(&["run", "--format", "json", "-"], log.as_bytes());
    assert_eq!(stdout(&out), "{\"level\":\"ERROR\",\"count\":1}\n");
    // tsv is what Hadoop reads, as before.
    let out = run(&["run", "--format", "tsv", "-"], log.as_bytes());
    assert_eq!(stdout(&out), "ERROR\t1\n");
}
