//! The generator's rows: `logmr-gen` to /dev/null, to a file and to Kafka,
//! beside the original Python producer (kafka-python, one message per line)
//! and the ceiling, rdkafka producing pre-built messages. Kafka rows run
//! against a fresh topic of the Apache Kafka broker of tests/services for
//! every run, created beforehand so that only producing is timed. A sweep of producer settings
//! shows where logmr-gen's defaults come from.

use std::path::{Path, PathBuf};

use logmr_e2e::broker::Broker;

use crate::levelcount::Target;
use crate::measure::{Sample, Shell};
use crate::report::{RateRow, Table, rate_table, ratio};

/// Settings of the generator rows.
#[derive(Clone, Debug)]
pub struct Config {
    pub logmr_gen: PathBuf,
    pub produce_raw: PathBuf,
    pub python_producer: PathBuf,
    pub work_dir: PathBuf,
    /// Lines per run of the logmr rows.
    pub lines: u64,
    /// Lines per run of the Python producer; its rate is what is compared.
    pub python_lines: u64,
    pub runs: usize,
}

/// One measured row: lines in a median time.
#[derive(Clone, Debug)]
pub struct Row {
    pub name: String,
    pub command: String,
    pub lines: u64,
    pub sample: Sample,
}

impl Row {
    pub fn rate(&self) -> f64 {
        self.lines as f64 / self.sample.median_wall().as_secs_f64()
    }
}

/// The results of the generator rows.
#[derive(Clone, Debug, Default)]
pub struct Results {
    pub rows: Vec<Row>,
    pub missing: Vec<(String, String)>,
}

impl Results {
    fn rate(&self, name: &str) -> Option<f64> {
        self.rows.iter().find(|r| r.name == name).map(Row::rate)
    }
}

const TO_KAFKA: &str = "logmr-gen → Kafka";
const RAW: &str = "rdkafka, pre-built messages (ceiling)";
const PYTHON: &str = "Python producer (kafka-python)";
const TO_NULL: &str = "logmr-gen > /dev/null";
const TO_FILE: &str = "logmr-gen -o FILE";

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

fn python_has_kafka() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import kafka"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs a Kafka command `runs` times against the Apache Kafka broker of the
/// test services, each into a fresh topic of 3 partitions created
/// beforehand, so that no run pays for another's data.
fn on_fresh_topics(runs: usize, script: impl Fn(&str, &str) -> String) -> Result<Sample, String> {
    let mut sample = Sample { runs: Vec::new() };
    for _ in 0..runs.max(1) {
        let broker = Broker::apache();
        let topic = crate::fresh_topic(&broker);
        broker.create_topic(&topic, 3);
        sample.runs.push(crate::measure::run(
            Shell::Exec,
            &script(&broker.address(), &topic),
        )?);
    }
    Ok(sample)
}

/// Measures every row.
pub fn measure(cfg: &Config, mut progress: impl FnMut(&str)) -> Result<Results, String> {
    let mut results = Results::default();
    let generator = quote(&cfg.logmr_gen);
    let n = cfg.lines;
    std::fs::create_dir_all(&cfg.work_dir)
        .map_err(|e| format!("creating {}: {e}", cfg.work_dir.display()))?;
    let file = cfg.work_dir.join("generated.log");
    let base = format!("{generator} --quiet --seed 1 --start '2024-12-10 00:00:00' -n {n}");

    for (name, script, display) in [
        (
            TO_NULL,
            format!("{base} > /dev/null"),
            format!("logmr-gen -n {n} > /dev/null"),
        ),
        (
            TO_FILE,
            format!("{base} -o {}", quote(&file)),
            format!("logmr-gen -n {n} -o FILE"),
        ),
    ] {
        progress(&format!("generator: {name}"));
        let sample = Sample::take(Shell::Exec, &script, cfg.runs)?;
        results.rows.push(Row {
            name: name.into(),
            command: display,
            lines: n,
            sample,
        });
    }

    let mut kafka_rows: Vec<(String, String, String, u64)> = vec![(
        TO_KAFKA.into(),
        String::new(),
        format!("logmr-gen -n {n} --brokers B"),
        n,
    )];
    for setting in [
        "linger.ms=0",
        "linger.ms=100",
        "compression.type=lz4",
        "compression.type=zstd",
    ] {
        kafka_rows.push((
            format!("{TO_KAFKA}, -X {setting}"),
            format!("-X {setting}"),
            format!("logmr-gen -n {n} --brokers B -X {setting}"),
            n,
        ));
    }
    for (name, extra, display, lines) in kafka_rows {
        progress(&format!("generator: {name}"));
        let sample = on_fresh_topics(cfg.runs, |b, t| {
            format!("{base} --brokers {b} --topic {t} {extra}")
        })?;
        results.rows.push(Row {
            name,
            command: display,
            lines,
            sample,
        });
    }

    progress(&format!("generator: {RAW}"));
    let raw = quote(&cfg.produce_raw);
    let sample = on_fresh_topics(cfg.runs, |b, t| format!("{raw} {b} {t} {}", quote(&file)))?;
    results.rows.push(Row {
        name: RAW.into(),
        command: format!("produce-raw B TOPIC FILE ({n} lines in memory)"),
        lines: n,
        sample,
    });

    if python_has_kafka() {
        progress(&format!("generator: {PYTHON}"));
        let py = quote(&cfg.python_producer);
        let sample = on_fresh_topics(cfg.runs, |b, t| {
            format!(
                "python3 {py} --brokers {b} --topic {t} --count {}",
                cfg.python_lines
            )
        })?;
        results.rows.push(Row {
            name: PYTHON.into(),
            command: format!(
                "python3 producer.py --brokers B --count {}",
                cfg.python_lines
            ),
            lines: cfg.python_lines,
            sample,
        });
    } else {
        results.missing.push((
            PYTHON.into(),
            "Python module kafka (pip install kafka-python)".into(),
        ));
    }
    Ok(results)
}

/// The generator's targets.
pub fn targets(r: &Results) -> Vec<Target> {
    let to_kafka = r.rate(TO_KAFKA);
    let fastest_file = [r.rate(TO_NULL), r.rate(TO_FILE)]
        .into_iter()
        .flatten()
        .reduce(f64::min);
    vec![
        Target::new(
            "`logmr-gen` to a file and to /dev/null (the slower of the two)",
            "≥ 3 M lines/s",
            fastest_file.map(|x| (format!("{:.1} M lines/s", x / 1e6), x >= 3e6)),
        ),
        Target::new(
            "`logmr-gen` to Kafka vs the Python producer",
            "≥ 20×",
            to_kafka
                .zip(r.rate(PYTHON))
                .map(|(g, p)| (ratio(g / p), g / p >= 20.0)),
        ),
        Target::new(
            "`logmr-gen` to Kafka vs rdkafka's ceiling (reported)",
            "—",
            to_kafka.zip(r.rate(RAW)).map(|(g, c)| (ratio(g / c), true)),
        ),
    ]
}

/// The generator table.
pub fn table(r: &Results) -> Table {
    let rows = r.rows.iter().map(|row| RateRow {
        name: &row.name,
        command: &row.command,
        items: row.lines,
        time: row.sample.median_wall(),
        max_rss: row.sample.max_rss(),
    });
    let mut t = rate_table(
        "Generator: lines per second",
        "lines",
        rows,
        r.rate(PYTHON),
        r.rate(RAW),
        &r.missing,
    );
    t.notes.push(
        "Every run of a Kafka row produces to a fresh topic (3 partitions) of an Apache Kafka 4.1 broker on \
         loopback (KRaft, one node, tests/services), created beforehand, and count a run as done when every message is acknowledged. The `-X` rows vary one \
         producer setting from logmr-gen's defaults. The Python producer sends fewer lines; its rate is what is compared."
            .into(),
    );
    t
}
