//! The sink's rows: `logmr-sink` from Kafka into a local store, beside the
//! original Python consumer (kafka-python, appending batches to a file) and
//! the ceiling, rdkafka reading and discarding. Each round fills a fresh
//! topic on the Apache Kafka broker of tests/services (untimed) with the
//! generator's lines, and every row reads it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use logmr_e2e::broker::Broker;

use crate::levelcount::Target;
use crate::measure::{Sample, Shell};
use crate::report::{RateRow, Table, rate_table, ratio};

/// Settings of the sink rows.
#[derive(Clone, Debug)]
pub struct Config {
    pub logmr_gen: PathBuf,
    pub logmr_sink: PathBuf,
    pub consume_raw: PathBuf,
    pub python_consumer: PathBuf,
    pub work_dir: PathBuf,
    pub records: u64,
    pub runs: usize,
}

/// How long the idle-terminated rows wait after the last record; it is
/// taken off their time.
const IDLE: f64 = 1.0;

const SINK: &str = "logmr-sink → local store";
const SINK_PIPE: &str = "logmr-sink, 100 partitions, progress to a pipe";
const SINK_TERMINAL: &str = "logmr-sink, 100 partitions, progress to a terminal (script)";
/// Partitions of the topic the progress rows read: the lag shown is summed
/// over them.
const MANY_PARTITIONS: u32 = 100;
const PYTHON: &str = "Python consumer (kafka-python) → file";
const RAW: &str = "rdkafka consumer, discarding (ceiling)";

/// One measured row.
#[derive(Clone, Debug)]
pub struct Row {
    pub name: String,
    pub command: String,
    pub records: u64,
    /// Median time with the idle wait taken off.
    pub busy: Duration,
    pub sample: Sample,
}

impl Row {
    pub fn rate(&self) -> f64 {
        self.records as f64 / self.busy.as_secs_f64()
    }
}

#[derive(Clone, Debug, Default)]
pub struct Results {
    pub rows: Vec<Row>,
    pub missing: Vec<(String, String)>,
}

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

/// Lines in `path`: a file's, or those of every file under a directory;
/// 0 when it is missing.
fn lines_in(path: &Path) -> u64 {
    match std::fs::read_dir(path) {
        Ok(entries) => entries.flatten().map(|e| lines_in(&e.path())).sum(),
        Err(_) => {
            std::fs::read(path).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count() as u64)
        }
    }
}

/// Checks one run's output, then clears it for the next run.
type Check<'a> = Box<dyn Fn() -> Result<(), String> + 'a>;

/// Checks that the sink row `name` stored all `n` records in `store`, then
/// clears the store for the next run.
fn sink_stored_all<'a>(store: PathBuf, n: u64, name: &'a str) -> Check<'a> {
    Box::new(move || {
        let stored = lines_in(&store);
        let _ = std::fs::remove_dir_all(&store);
        (stored == n)
            .then_some(())
            .ok_or(format!("{name} stored {stored} of {n} records"))
    })
}

/// The command line of one run, given the brokers and the topic.
type Script<'a> = Box<dyn Fn(&str, &str) -> String + 'a>;

/// One row being measured: how to run it on a topic, and how to check and
/// clear what it wrote.
struct Contender<'a> {
    name: &'static str,
    command: String,
    /// Partitions of the topic it reads.
    partitions: u32,
    shell: Shell,
    idle: f64,
    script: Script<'a>,
    check: Check<'a>,
    sample: Sample,
}

/// Measures every row. Each round fills one fresh topic of the services'
/// Apache Kafka broker (untimed), then every row reads that same topic in
/// turn, so that the rows of one round meet the same broker and machine.
pub fn measure(cfg: &Config, mut progress: impl FnMut(&str)) -> Result<Results, String> {
    let mut results = Results::default();
    std::fs::create_dir_all(&cfg.work_dir)
        .map_err(|e| format!("creating {}: {e}", cfg.work_dir.display()))?;
    let n = cfg.records;
    let store = cfg.work_dir.join("sink-store");
    let out = cfg.work_dir.join("python-consumer.txt");
    let _ = std::fs::remove_dir_all(&store);
    let _ = std::fs::remove_file(&out);
    let (sink, raw, py) = (
        quote(&cfg.logmr_sink),
        quote(&cfg.consume_raw),
        quote(&cfg.python_consumer),
    );
    let (store_arg, out_arg) = (quote(&store), quote(&out));
    let mut contenders = vec![
        Contender {
            name: SINK,
            command: format!("logmr-sink --brokers B --store DIR --exit-when-idle {IDLE}"),
            partitions: 3,
            shell: Shell::Exec,
            idle: IDLE,
            script: Box::new(move |b, t| {
                format!(
                    "{sink} --quiet --brokers {b} --topic {t} --group sink-{t} --store {store_arg} --exit-when-idle {IDLE}"
                )
            }),
            check: sink_stored_all(store.clone(), n, SINK),
            sample: Sample { runs: Vec::new() },
        },
        Contender {
            name: RAW,
            command: format!("consume-raw B TOPIC {n}"),
            partitions: 3,
            shell: Shell::Exec,
            idle: 0.0,
            script: Box::new(move |b, t| format!("{raw} {b} {t} {n}")),
            check: Box::new(|| Ok(())),
            sample: Sample { runs: Vec::new() },
        },
    ];
    let python_ok = std::process::Command::new("python3")
        .args(["-c", "import kafka"])
        .output()
        .is_ok_and(|o| o.status.success());
    if python_ok {
        contenders.push(Contender {
            name: PYTHON,
            command: format!("python3 consumer.py --brokers B --output FILE --idle {IDLE}"),
            partitions: 3,
            shell: Shell::Exec,
            idle: IDLE,
            script: Box::new(move |b, t| {
                format!(
                    "python3 {py} --brokers {b} --topic {t} --group python-{t} --output {out_arg} --idle {IDLE}"
                )
            }),
            check: Box::new(|| {
                let written = lines_in(&out);
                let _ = std::fs::remove_file(&out);
                (written == n).then_some(()).ok_or(format!(
                    "the Python consumer wrote {written} of {n} records"
                ))
            }),
            sample: Sample { runs: Vec::new() },
        });
    } else {
        results.missing.push((
            PYTHON.into(),
            "Python module kafka (pip install kafka-python)".into(),
        ));
    }

    // The progress line, drawn on a terminal every 0.25 s or written to a
    // pipe: the sink's rate must not depend on where stderr goes.
    let terminal_store = cfg.work_dir.join("sink-store-progress");
    let _ = std::fs::remove_dir_all(&terminal_store);
    for (name, on_terminal) in [(SINK_PIPE, false), (SINK_TERMINAL, true)] {
        let (sink, store_arg, store) = (
            quote(&cfg.logmr_sink),
            quote(&terminal_store),
            terminal_store.clone(),
        );
        contenders.push(Contender {
            name,
            command: if on_terminal {
                format!("script -qec 'logmr-sink --brokers B --store DIR --exit-when-idle {IDLE}' /dev/null")
            } else {
                format!("logmr-sink --brokers B --store DIR --exit-when-idle {IDLE} 2>&1 | cat")
            },
            partitions: MANY_PARTITIONS,
            shell: Shell::Bash,
            idle: IDLE,
            script: Box::new(move |b, t| {
                let run = format!(
                    "{sink} --brokers {b} --topic {t} --group sink-{t}-{on_terminal} --store {store_arg} --exit-when-idle {IDLE}"
                );
                if on_terminal {
                    format!("script -qec {} /dev/null >/dev/null", quote(Path::new(&run)))
                } else {
                    format!("sh -c {} 2>&1 | cat >/dev/null", quote(Path::new(&run)))
                }
            }),
            check: sink_stored_all(store, n, name),
            sample: Sample { runs: Vec::new() },
        });
    }

    let broker = Broker::apache();
    let gen_ = quote(&cfg.logmr_gen);
    for round in 1..=cfg.runs.max(1) {
        let mut topics = std::collections::BTreeMap::new();
        for partitions in contenders.iter().map(|c| c.partitions) {
            if topics.contains_key(&partitions) {
                continue;
            }
            let topic = crate::fresh_topic(&broker);
            broker.create_topic(&topic, partitions);
            progress(&format!(
                "sink: round {round}: {n} records into {topic} ({partitions} partitions)"
            ));
            crate::measure::run(
                Shell::Exec,
                &format!(
                    "{gen_} --quiet --seed 1 --start '2024-12-10 00:00:00' -n {n} --brokers {} --topic {topic}",
                    broker.address()
                ),
            )?;
            topics.insert(partitions, topic);
        }
        for c in &mut contenders {
            progress(&format!("sink: round {round}: {}", c.name));
            let run = crate::measure::run(
                c.shell,
                &(c.script)(&broker.address(), &topics[&c.partitions]),
            )?;
            (c.check)()?;
            c.sample.runs.push(run);
        }
    }
    for c in contenders {
        let busy = c
            .sample
            .median_wall()
            .saturating_sub(Duration::from_secs_f64(c.idle));
        results.rows.push(Row {
            name: c.name.into(),
            command: c.command,
            records: n,
            busy,
            sample: c.sample,
        });
    }
    Ok(results)
}

fn rate_of(r: &Results, name: &str) -> Option<f64> {
    r.rows.iter().find(|row| row.name == name).map(Row::rate)
}

/// The sink's targets.
pub fn targets(r: &Results) -> Vec<Target> {
    let sink = rate_of(r, SINK);
    vec![
        Target::new(
            "`logmr-sink` vs the Python consumer, records/s",
            "≥ 20×",
            sink.zip(rate_of(r, PYTHON))
                .map(|(s, p)| (ratio(s / p), s / p >= 20.0)),
        ),
        Target::new(
            "`logmr-sink` with its progress on a terminal vs to a pipe, 100 partitions",
            "≥ 0.9×",
            rate_of(r, SINK_TERMINAL)
                .zip(rate_of(r, SINK_PIPE))
                .map(|(t, p)| (ratio(t / p), t / p >= 0.9)),
        ),
        Target::new(
            "`logmr-sink` vs a bare rdkafka consumer on the same topic (the ceiling)",
            "≥ 0.5×",
            sink.zip(rate_of(r, RAW))
                .map(|(s, c)| (ratio(s / c), s / c >= 0.5)),
        ),
    ]
}

/// The sink table.
pub fn table(r: &Results) -> Table {
    let rows = r.rows.iter().map(|row| RateRow {
        name: &row.name,
        command: &row.command,
        items: row.records,
        time: row.busy,
        max_rss: row.sample.max_rss(),
    });
    let mut t = rate_table(
        "Sink: records per second, Kafka to storage",
        "records",
        rows,
        rate_of(r, PYTHON),
        rate_of(r, RAW),
        &r.missing,
    );
    t.notes.push(format!(
        "Every run reads a fresh topic (3 partitions) of an Apache Kafka 4.1 broker on loopback (KRaft, one node, \
         tests/services) holding the records, written beforehand by logmr-gen and not timed; every row of a round \
         reads that same topic, one after the other, in its own consumer group. The sink and the Python consumer stop after {IDLE} s without a record; that wait is taken off their times. \
         Each run's output was checked to hold every record. The sink's peak RSS is bounded by its batch size \
         (--max-bytes, 128 MiB by default, per partition)."
    ));
    t
}
