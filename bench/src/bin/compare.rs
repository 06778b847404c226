//! `compare`: the side-by-side comparison, written to `bench/results/` and
//! summarised in `BENCHMARKS.md`.
//!
//!     cargo run --release -p logmr-bench --bin compare -- [--size 1G]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use logmr::units::parse_size;
use logmr_bench::corpus::Layout;
use logmr_bench::levelcount::{self, Config};
use logmr_bench::machine;
use logmr_bench::report::{self, Table, mib};
use logmr_bench::{instructions, loghub, memory, producing, program, sinking};

const USAGE: &str = "\
usage: compare [--size BYTES] [--python-size BYTES] [--runs N] [--slow-runs N]
               [--seed N] [--gen-lines N] [--python-lines N]
               [--sink-records N] [--memory-keys N] [--loghub DIR]
               [--work-dir DIR] [--results-dir DIR] [--summary FILE]

Generates a seed-layout and a mixed-layout corpus (default 1G each; sizes take
K, M and G suffixes), runs logmr and its peers on them side by side, checks
that every tool agrees with the ground truth, and writes a markdown report to
--results-dir (default bench/results) and a summary to --summary (default
BENCHMARKS.md). The Python job runs on the first --python-size bytes
(default 64M) and its time is scaled. The generator rows produce --gen-lines
lines (default 1000000; the Python producer --python-lines, default 50000)
to /dev/null, a file, and Apache Kafka on loopback (tests/services, or the
running services named by LOGMR_SERVICES_DIR). The sink rows, the Python
consumer among them, read the same topics of --sink-records records
(default 1000000) from that broker into storage. The memory rows run reduce
and map --by template on --memory-keys distinct keys (default 10M). The
template rows evaluate logmr on the loghub samples in --loghub (default
../shared/loghub-2k beside the checkout, when it exists).";

struct Args {
    cfg: Config,
    memory: memory::Config,
    loghub: Option<PathBuf>,
    producing: producing::Config,
    sinking: sinking::Config,
    results_dir: PathBuf,
    summary: PathBuf,
}

fn parse_args(root: &Path) -> Result<Args, String> {
    let mut cfg = Config {
        logmr: root.join("target/release/logmr"),
        python_script: root.join("bench/python/log_mapreduce.py"),
        work_dir: root.join("target/bench-corpus"),
        size: 1 << 30,
        python_size: 64 << 20,
        runs: 5,
        slow_runs: 3,
        seed: 42,
    };
    let mut gen_cfg = producing::Config {
        logmr_gen: root.join("target/release/logmr-gen"),
        produce_raw: root.join("target/release/produce-raw"),
        python_producer: root.join("bench/python/producer.py"),
        work_dir: root.join("target/bench-corpus"),
        lines: 1_000_000,
        python_lines: 50_000,
        runs: 3,
    };
    let mut sink_cfg = sinking::Config {
        logmr_gen: root.join("target/release/logmr-gen"),
        logmr_sink: root.join("target/release/logmr-sink"),
        consume_raw: root.join("target/release/consume-raw"),
        python_consumer: root.join("bench/python/consumer.py"),
        work_dir: root.join("target/bench-corpus"),
        records: 1_000_000,
        runs: 3,
    };
    let mut memory_cfg = memory::Config {
        logmr: root.join("target/release/logmr"),
        work_dir: root.join("target/bench-corpus"),
        keys: 10_000_000,
        runs: 3,
    };
    let mut loghub_dir = Some(root.join("../shared/loghub-2k")).filter(|d| d.is_dir());
    let mut results_dir = root.join("bench/results");
    let mut summary = root.join("BENCHMARKS.md");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.to_string());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))?;
        let count = |v: &str| {
            v.parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or(format!("not a count: {v:?}"))
        };
        match flag.as_str() {
            "--size" => cfg.size = parse_size(&value)?,
            "--python-size" => cfg.python_size = parse_size(&value)?,
            "--runs" => cfg.runs = count(&value)?,
            "--slow-runs" => cfg.slow_runs = count(&value)?,
            "--seed" => {
                cfg.seed = value
                    .parse()
                    .map_err(|_| format!("not a seed: {value:?}"))?
            }
            "--gen-lines" => gen_cfg.lines = parse_size(&value)?,
            "--python-lines" => gen_cfg.python_lines = parse_size(&value)?,
            "--sink-records" => sink_cfg.records = parse_size(&value)?,
            "--memory-keys" => memory_cfg.keys = parse_size(&value)?,
            "--loghub" => loghub_dir = Some(value.into()),
            "--work-dir" => {
                cfg.work_dir = value.clone().into();
                gen_cfg.work_dir = value.clone().into();
                memory_cfg.work_dir = value.clone().into();
                sink_cfg.work_dir = value.into();
            }
            "--results-dir" => results_dir = value.into(),
            "--summary" => summary = value.into(),
            _ => return Err(format!("unknown option {flag}\n\n{USAGE}")),
        }
    }
    gen_cfg.runs = cfg.runs.min(3);
    memory_cfg.runs = cfg.runs.min(3);
    sink_cfg.runs = cfg.runs.min(3);
    Ok(Args {
        cfg,
        memory: memory_cfg,
        loghub: loghub_dir,
        producing: gen_cfg,
        sinking: sink_cfg,
        results_dir,
        summary,
    })
}

fn tools_table() -> Table {
    let mut t = Table::new("Tools", &["tool", "version"]);
    for (tool, args) in [
        ("wc", &["--version"][..]),
        ("sort", &["--version"]),
        ("python3", &["--version"]),
        ("mawk", &["-W", "version"]),
        ("gawk", &["--version"]),
        ("rg", &["--version"]),
    ] {
        let version = machine::first_line(tool, args).unwrap_or_else(|| "not installed".into());
        t.rows.push(vec![format!("`{tool}`"), version]);
    }
    t
}

fn run() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let Args {
        cfg,
        memory: memory_cfg,
        loghub: loghub_dir,
        producing: gen_cfg,
        sinking: sink_cfg,
        results_dir,
        summary,
    } = parse_args(&root)?;
    program::build_release(
        &root,
        &[
            "-p",
            "logmr",
            "-p",
            "logmr-ingest",
            "-p",
            "logmr-bench",
            "--bins",
        ],
    )?;
    let progress = |msg: &str| eprintln!("compare: {msg}");
    let cpu_before = machine::CpuTimes::now();
    let seed = levelcount::measure(&cfg, Layout::Seed, progress)?;
    let mixed = levelcount::measure(&cfg, Layout::Mixed, progress)?;
    progress("instructions per line under cachegrind");
    let instructions = instructions::measure(
        &cfg.logmr,
        &[("seed", &seed.corpus), ("mixed", &mixed.corpus)],
    )?;
    let memory = memory::measure(&memory_cfg, progress)?;
    let templates = match &loghub_dir {
        Some(dir) => {
            let mut families = Vec::new();
            for family in loghub::families(dir)? {
                progress(&format!("templates: {}", family.display()));
                families.push(loghub::family(&cfg.logmr, &family, &cfg.work_dir, 500)?);
            }
            Some(families)
        }
        None => None,
    };
    let generator = producing::measure(&gen_cfg, progress)?;
    let mut targets = levelcount::targets(&seed, &mixed);
    targets.extend(memory::targets(&memory));
    if let Some(families) = &templates {
        targets.extend(loghub::targets(families));
    }
    targets.extend(producing::targets(&generator));
    let sink = sinking::measure(&sink_cfg, progress)?;
    targets.extend(sinking::targets(&sink));

    let steal = cpu_before
        .zip(machine::CpuTimes::now())
        .and_then(|(before, after)| after.steal_since(&before))
        .map_or_else(String::new, |share| {
            format!(
                " CPU steal during the run: {:.0}% (time the hypervisor gave other guests; rows \
                 measured side by side share it, while absolute rates and speed-ups from using \
                 both cores drop with it).",
                share * 100.0
            )
        });
    let date = machine::today();
    let header = format!(
        "Measured on {date}: {} cores ({}), corpora of {} MiB each, seed {}.{steal}",
        machine::cores(),
        machine::cpu_model(),
        mib(cfg.size),
        cfg.seed
    );
    let sections: Vec<Table> = [
        Some(program::targets_table("Targets", &targets)),
        Some(levelcount::table(&seed)),
        Some(levelcount::table(&mixed)),
        Some(instructions::table(&instructions)),
        Some(memory::table(&memory)),
        templates.as_deref().map(loghub::table),
        Some(producing::table(&generator)),
        Some(sinking::table(&sink)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let body: Vec<String> = sections.iter().map(Table::markdown).collect();

    std::fs::create_dir_all(&results_dir)
        .map_err(|e| format!("creating {}: {e}", results_dir.display()))?;
    let results_file = results_dir.join(format!("comparison-{date}-{}MiB.md", cfg.size >> 20));
    let full = format!(
        "# Comparison\n\n{header}\n\n{}\n{}",
        body.join("\n"),
        tools_table().markdown()
    );
    program::write(&results_file, full)?;

    let relative = results_file.strip_prefix(&root).unwrap_or(&results_file);
    let notes_path = root.join("bench/notes.md");
    let notes = std::fs::read_to_string(&notes_path)
        .map_err(|e| format!("reading {}: {e}", notes_path.display()))?;
    let summary_text = format!(
        "# Benchmarks\n\n{header} Full report with tool versions: [{rel}]({rel}).\n\n\
         Reproduce with `cargo run --release -p logmr-bench --bin compare` (about 10 minutes for 1 GiB), \
         and the kernels alone with `cargo bench -p logmr-bench`.\n\n{}\n{notes}",
        body.join("\n"),
        rel = relative.display()
    );
    // The YARN section, measured by the `yarn` program, stays.
    let previous = std::fs::read_to_string(&summary).unwrap_or_default();
    let summary_text = match report::yarn_section(&previous) {
        Some(section) => report::with_yarn_section(&summary_text, section, report::NOTES_HEADING),
        None => summary_text,
    };
    program::write(&summary, summary_text)?;
    eprintln!(
        "compare: wrote {} and {}",
        results_file.display(),
        summary.display()
    );
    print!("{}", body.join("\n"));
    Ok(())
}

fn main() -> ExitCode {
    program::exit("compare", run())
}
