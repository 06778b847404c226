//! `yarn`: the level count as users run it, on the YARN of tests/services
//! and on Spark, written to `bench/results/` and to the YARN section of
//! `BENCHMARKS.md`.
//!
//!     cargo run --release -p logmr-bench --bin yarn -- [--size 1G]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use logmr::units::parse_size;
use logmr_bench::report::{self, Table, mib};
use logmr_bench::{machine, program, yarn};

const USAGE: &str = "\
usage: yarn [--size BYTES] [--store-files N] [--store-size BYTES]
            [--block-size BYTES] [--seed N] [--work-dir DIR]
            [--results-dir DIR] [--summary FILE]

Runs the logcount job on the YARN of tests/services (the running services
named by LOGMR_SERVICES_DIR, else a set it starts) over one seed-layout file
of --size bytes (default 1G) and over a store of --store-files files
(default 500) holding --store-size bytes (default 256M), both written to HDFS
in blocks of --block-size (default 128M): as logcount.sh runs it, one map
task per block or file, the Python original, a native Java MapReduce job
(bench/java, built with Maven), a Streaming floor and the Spark job. Every
output is checked. Writes a markdown report to --results-dir (default
bench/results) and the YARN section of --summary (default BENCHMARKS.md).
Sizes take K, M and G suffixes. About 30 minutes with the defaults.";

struct Args {
    cfg: yarn::Config,
    results_dir: PathBuf,
    summary: PathBuf,
}

fn parse_args(root: &Path) -> Result<Args, String> {
    let mut cfg = yarn::Config {
        root: root.to_path_buf(),
        logmr: root.join("target/release/logmr"),
        work_dir: root.join("target/bench-corpus"),
        size: 1 << 30,
        store_files: 500,
        store_size: 256 << 20,
        block_size: 128 << 20,
        seed: 42,
    };
    let mut results_dir = root.join("bench/results");
    let mut summary = root.join("BENCHMARKS.md");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--size" => cfg.size = parse_size(&value)?,
            "--store-files" => {
                cfg.store_files = value
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("--store-files: not a count: {value:?}"))?
            }
            "--store-size" => cfg.store_size = parse_size(&value)?,
            "--block-size" => cfg.block_size = parse_size(&value)?,
            "--seed" => {
                cfg.seed = value
                    .parse()
                    .map_err(|_| format!("--seed: not a number: {value:?}"))?
            }
            "--work-dir" => cfg.work_dir = PathBuf::from(value),
            "--results-dir" => results_dir = PathBuf::from(value),
            "--summary" => summary = PathBuf::from(value),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if cfg.store_size > cfg.size {
        return Err("--store-size cannot exceed --size: the store is cut from the file".into());
    }
    Ok(Args {
        cfg,
        results_dir,
        summary,
    })
}

fn run() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let Args {
        cfg,
        results_dir,
        summary,
    } = parse_args(&root)?;
    program::build_release(&root, &["-p", "logmr"])?;
    let results = yarn::measure(&cfg, |msg| eprintln!("{msg}"))?;
    let mut tables = vec![program::targets_table(
        "Targets on YARN",
        &yarn::targets(&results),
    )];
    tables.extend(results.iter().map(yarn::table));
    let body: Vec<String> = tables.iter().map(Table::markdown).collect();
    let date = machine::today();
    let header = format!(
        "Measured on {date}: {} cores ({}), the YARN of `tests/services` (one NodeManager, \
         MiniMRYarnCluster of Hadoop 3.4.2, 384 MiB map and reduce containers), inputs written \
         to its HDFS in {} MiB blocks, one run each. The jobs ship `{}`.",
        machine::cores(),
        machine::cpu_model(),
        cfg.block_size >> 20,
        cfg.logmr
            .strip_prefix(&root)
            .unwrap_or(&cfg.logmr)
            .display()
    );
    std::fs::create_dir_all(&results_dir)
        .map_err(|e| format!("creating {}: {e}", results_dir.display()))?;
    let results_file = results_dir.join(format!("yarn-{date}-{}MiB.md", cfg.size >> 20));
    program::write(
        &results_file,
        format!("# On YARN\n\n{header}\n\n{}", body.join("\n")),
    )?;
    let relative = results_file.strip_prefix(&root).unwrap_or(&results_file);
    let section = format!(
        "{}\n## On YARN and Spark: the job as users run it\n\n{header} Report: [{rel}]({rel}). \
         Reproduce with `cargo run --release -p logmr-bench --bin yarn` (about 30 minutes; \
         `--size`, `--store-files`). Inputs: {} MiB of seed-layout lines in one file, and the \
         first {} MiB of it cut into {} files named as the sink names its batches.\n\n{}\n{}",
        report::YARN_BEGIN,
        mib(cfg.size),
        mib(cfg.store_size),
        cfg.store_files,
        body.join("\n"),
        report::YARN_END,
        rel = relative.display()
    );
    let previous = std::fs::read_to_string(&summary).unwrap_or_default();
    program::write(
        &summary,
        report::with_yarn_section(&previous, &section, report::NOTES_HEADING),
    )?;
    eprintln!(
        "yarn: wrote {} and the YARN section of {}",
        results_file.display(),
        summary.display()
    );
    print!("{}", body.join("\n"));
    Ok(())
}

fn main() -> ExitCode {
    program::exit("yarn", run())
}
