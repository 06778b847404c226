//! The level count as users run it: Hadoop jobs on the YARN of
//! tests/services (MiniMRYarnCluster), and the Spark job, over one large
//! file and over a store of many small files as the sink writes them.
//!
//! Beside the job as `logcount.sh` runs it stand the same job one map task
//! per block or file (the shape the Python job needed), the Python original
//! as the seed ran it, a native Java MapReduce job (bench/java, the engine's
//! limit), a Streaming floor (`wc -l` as the mapper) and the Spark job. CPU
//! and GC times are the jobs' own counters (every task, not the client or
//! the application master); wall time is the whole command, the result read
//! back included. Every output is checked: equal to `logmr run` on the same
//! bytes, or, for the floor, lines adding up to the input's.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use logmr_e2e::services::{Services, hadoop_bin_dir, services};

use crate::corpus::{self, Layout};
use crate::levelcount::Target;
use crate::measure::{self, Shell};
use crate::report::{Table, mib, ratio, seconds};

/// What to measure.
pub struct Config {
    /// The workspace root (hadoop-jobs, bench/python, bench/java).
    pub root: PathBuf,
    /// The logmr binary the jobs ship.
    pub logmr: PathBuf,
    pub work_dir: PathBuf,
    /// The size of the one large file.
    pub size: u64,
    /// How many files the small-file store holds, and their total size.
    pub store_files: usize,
    pub store_size: u64,
    /// The HDFS block size the inputs are written with.
    pub block_size: u64,
    pub seed: u64,
}

/// The job's shape as the job script gives it to `logmr`: input format,
/// split size and uber mode (which Hadoop uses only for inputs under one
/// block); "the same shape" rows get all three.
const SHAPE: &str = "CombineTextInputFormat, 256 MiB splits, uber mode";
const SPLIT_MAX: &str = "mapreduce.input.fileinputformat.split.maxsize=268435456";
const UBER: &str = "mapreduce.job.ubertask.enable=true";
const COMBINE_MAPRED: &str = "org.apache.hadoop.mapred.lib.CombineTextInputFormat";
const COMBINE_MAPREDUCE: &str = "org.apache.hadoop.mapreduce.lib.input.CombineTextInputFormat";

/// One measured job.
#[derive(Clone, Debug)]
pub struct Row {
    pub name: String,
    pub shape: String,
    pub map_tasks: Option<u64>,
    pub wall: Duration,
    /// The job's CPU counter (or, for Spark, the process tree's CPU).
    pub cpu_ms: u64,
    pub gc_ms: Option<u64>,
    pub check: String,
}

/// The rows of one input.
#[derive(Clone, Debug)]
pub struct Results {
    pub title: String,
    pub rows: Vec<Row>,
}

impl Results {
    pub fn cpu_of(&self, name: &str) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.cpu_ms as f64)
    }
}

pub const LOGMR: &str = "logmr, as logcount.sh runs it";
pub const LOGMR_PER_SPLIT: &str = "logmr, one map task per block or file";
pub const PYTHON: &str = "the Python original, as the seed ran it";
pub const PYTHON_SHAPED: &str = "the Python original, the same shape as logmr";
pub const JAVA_PER_SPLIT: &str = "native Java MapReduce, one map task per block or file";
pub const JAVA: &str = "native Java MapReduce, the same shape as logmr";
pub const FLOOR_PER_SPLIT: &str = "Streaming floor (`wc -l` mapper), one map task per block";
pub const FLOOR: &str = "Streaming floor (`wc -l` mapper), the same shape as logmr";
pub const SPARK: &str = "Spark job (`spark-job.sh logcount`, local[*])";

/// How a row's output is checked.
enum Check<'a> {
    /// Equal to this `logmr run` output.
    Equal(&'a str),
    /// The first fields of the lines add up to this many lines.
    LineSum(u64),
}

/// The inputs, made once: the large file and the store, local and in HDFS.
struct Input {
    hdfs: String,
    expected: String,
    lines: u64,
}

/// Measures every row on both inputs.
pub fn measure(cfg: &Config, progress: impl Fn(&str)) -> Result<Vec<Results>, String> {
    let svc = services();
    build_java(&cfg.root)?;
    std::fs::create_dir_all(&cfg.work_dir)
        .map_err(|e| format!("creating {}: {e}", cfg.work_dir.display()))?;
    progress(&format!(
        "yarn: writing a {} MiB seed corpus and a store of {} files",
        mib(cfg.size),
        cfg.store_files
    ));
    let file = cfg.work_dir.join(format!("yarn-seed-{}.log", cfg.size));
    let truth = write_corpus(&file, cfg.size, cfg.seed)?;
    let store = cfg.work_dir.join("yarn-store");
    let store_lines = write_store(&file, &store, cfg.store_size, cfg.store_files)?;

    let base = format!("/bench-yarn-{}", std::process::id());
    run_hadoop(svc, &["fs", "-mkdir", "-p", &format!("{base}/file")])?;
    let block = format!("dfs.blocksize={}", cfg.block_size);
    let big = Input {
        hdfs: format!("{base}/file"),
        expected: logmr_run(&cfg.logmr, &file)?,
        lines: truth.lines,
    };
    run_hadoop(
        svc,
        &["fs", "-D", &block, "-put", path_str(&file)?, &big.hdfs],
    )?;
    let small = Input {
        hdfs: format!("{base}/store"),
        expected: logmr_run(&cfg.logmr, &store)?,
        lines: store_lines,
    };
    run_hadoop(
        svc,
        &["fs", "-D", &block, "-put", path_str(&store)?, &small.hdfs],
    )?;

    let ctx = Context {
        cfg,
        svc,
        base: &base,
    };
    let file_rows = [
        LOGMR,
        LOGMR_PER_SPLIT,
        PYTHON,
        PYTHON_SHAPED,
        JAVA_PER_SPLIT,
        JAVA,
        FLOOR_PER_SPLIT,
        FLOOR,
        SPARK,
    ];
    let store_rows = [LOGMR, LOGMR_PER_SPLIT, PYTHON, JAVA, FLOOR, SPARK];
    let mut results = Vec::new();
    for (title, input, rows) in [
        (
            format!(
                "On YARN: one file of {} MiB ({} lines), {} MiB blocks",
                mib(cfg.size),
                truth.lines,
                cfg.block_size >> 20
            ),
            &big,
            &file_rows[..],
        ),
        (
            format!(
                "On YARN: a store of {} small files, {} MiB in all ({} lines), as the sink writes them",
                cfg.store_files,
                mib(cfg.store_size),
                small.lines
            ),
            &small,
            &store_rows[..],
        ),
    ] {
        let mut measured = Vec::new();
        for (i, name) in rows.iter().enumerate() {
            progress(&format!("yarn: {title}: {name}"));
            measured.push(ctx.row(name, input, i)?);
        }
        results.push(Results {
            title,
            rows: measured,
        });
    }
    let _ = run_hadoop(svc, &["fs", "-rm", "-r", "-f", "-skipTrash", &base]);
    Ok(results)
}

struct Context<'a> {
    cfg: &'a Config,
    svc: &'a Services,
    base: &'a str,
}

impl Context<'_> {
    /// Runs the job `name` over `input` and checks its output.
    fn row(&self, name: &str, input: &Input, index: usize) -> Result<Row, String> {
        let output = format!("{}/out-{}", self.base, unique_suffix(index));
        let log = self.cfg.work_dir.join("yarn-job.log");
        let root = &self.cfg.root;
        let jar = self.svc.streaming_jar();
        let streaming = |extra: &[&str], files: &str, mapper: &str, reducer: &str| {
            let mut words = vec![
                "hadoop".to_string(),
                "jar".into(),
                jar.display().to_string(),
            ];
            // Generic options (-D, -files) before Streaming's own.
            let at = extra
                .iter()
                .position(|w| *w == "-inputformat")
                .unwrap_or(extra.len());
            words.extend(extra[..at].iter().map(|s| s.to_string()));
            words.extend(["-files".to_string(), files.to_string()]);
            words.extend(extra[at..].iter().map(|s| s.to_string()));
            for w in [
                "-input",
                &input.hdfs,
                "-output",
                &output,
                "-mapper",
                mapper,
                "-reducer",
                reducer,
            ] {
                words.push(w.to_string());
            }
            words.push("-numReduceTasks".into());
            words.push("1".into());
            words
        };
        let shaped = [
            "-D",
            SPLIT_MAX,
            "-D",
            UBER,
            "-D",
            "stream.map.input.ignoreKey=true",
            "-inputformat",
            COMBINE_MAPRED,
        ];
        let python = root.join("bench/python/log_mapreduce.py");
        let python = path_str(&python)?;
        let java_jar = root.join("bench/java/target/logmr-bench-java.jar");
        let java = |extra: &[&str]| {
            let mut words = vec![
                "hadoop".to_string(),
                "jar".into(),
                java_jar.display().to_string(),
                "logmr.bench.LevelCount".into(),
            ];
            words.extend(extra.iter().map(|s| s.to_string()));
            words.push(input.hdfs.clone());
            words.push(output.clone());
            words
        };
        let script = |words: &[&str]| -> String {
            let mut words: Vec<String> = words.iter().map(|s| s.to_string()).collect();
            words.insert(0, "bash".into());
            words.insert(
                1,
                root.join("hadoop-jobs/logcount.sh").display().to_string(),
            );
            words.extend(["--input".into(), input.hdfs.clone()]);
            words.extend(["--output".into(), output.clone()]);
            words
                .iter()
                .map(|w| shell_quote(w))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let cat = format!(
            "hadoop fs -cat {}",
            shell_quote(&format!("{output}/part-*"))
        );
        let job = |words: Vec<String>| -> String {
            let words: Vec<String> = words.iter().map(|w| shell_quote(w)).collect();
            format!("{} >&2 && {cat}", words.join(" "))
        };
        let per_split = [
            "-D",
            "mapreduce.job.inputformat.class=org.apache.hadoop.mapred.TextInputFormat",
            "-D",
            "mapreduce.job.ubertask.enable=false",
        ];
        let java_shaped = [
            "-D",
            &format!("mapreduce.job.inputformat.class={COMBINE_MAPREDUCE}")[..],
            "-D",
            SPLIT_MAX,
            "-D",
            UBER,
        ]
        .map(String::from);
        let java_shaped: Vec<&str> = java_shaped.iter().map(String::as_str).collect();
        let (shape, command, check) = match name {
            LOGMR => (
                SHAPE.to_string(),
                script(&[]),
                Check::Equal(&input.expected),
            ),
            LOGMR_PER_SPLIT => (
                "TextInputFormat".into(),
                script(&per_split),
                Check::Equal(&input.expected),
            ),
            PYTHON => (
                "TextInputFormat, no combiner".into(),
                job(streaming(
                    &[],
                    python,
                    "python3 log_mapreduce.py mapper",
                    "python3 log_mapreduce.py reducer",
                )),
                Check::Equal(&input.expected),
            ),
            PYTHON_SHAPED => (
                format!("{SHAPE}, no combiner"),
                job(streaming(
                    &shaped,
                    python,
                    "python3 log_mapreduce.py mapper",
                    "python3 log_mapreduce.py reducer",
                )),
                Check::Equal(&input.expected),
            ),
            JAVA_PER_SPLIT => (
                "TextInputFormat".into(),
                job(java(&[])),
                Check::Equal(&input.expected),
            ),
            JAVA => (
                SHAPE.into(),
                job(java(&java_shaped)),
                Check::Equal(&input.expected),
            ),
            FLOOR_PER_SPLIT => (
                "TextInputFormat".into(),
                job(streaming(&[], python, "wc -l", "cat")),
                Check::LineSum(input.lines),
            ),
            FLOOR => (
                SHAPE.into(),
                job(streaming(&shaped, python, "wc -l", "cat")),
                Check::LineSum(input.lines),
            ),
            SPARK => {
                let url = self.svc.hdfs_url(&input.hdfs);
                let spark = root.join("hadoop-jobs/spark-job.sh");
                (
                    "one partition per block".into(),
                    format!(
                        "bash {} logcount --input {}",
                        shell_quote(path_str(&spark)?),
                        shell_quote(&url)
                    ),
                    Check::Equal(&input.expected),
                )
            }
            other => return Err(format!("no row {other:?}")),
        };
        let env = format!(
            "export HADOOP_CONF_DIR={} HADOOP_STREAMING_JAR={} LOGMR_BIN={} PATH={}:\"$PATH\"\n",
            shell_quote(path_str(&self.svc.conf_dir)?),
            shell_quote(path_str(&jar)?),
            shell_quote(path_str(&self.cfg.logmr)?),
            shell_quote(path_str(&hadoop_bin_dir())?),
        );
        let run = measure::run(
            Shell::Bash,
            &format!("{env}{{ {command}; }} 2>{}", shell_quote(path_str(&log)?)),
        )
        .map_err(|e| format!("{name}: {e}\n{}", tail(&log)))?;
        let stderr = std::fs::read_to_string(&log).unwrap_or_default();
        let check = match check {
            Check::Equal(expected) if run.stdout == expected => "equal to `logmr run`".to_string(),
            Check::Equal(expected) => {
                return Err(format!(
                    "{name}: the output differs from logmr run's:\n{}\nexpected:\n{expected}",
                    run.stdout
                ));
            }
            Check::LineSum(lines) => {
                let sum: u64 = run
                    .stdout
                    .lines()
                    .filter_map(|l| l.split_whitespace().next()?.parse::<u64>().ok())
                    .sum();
                if sum != lines {
                    return Err(format!("{name}: the mappers saw {sum} lines, not {lines}"));
                }
                format!("{lines} lines seen")
            }
        };
        let cpu_ms = match name {
            SPARK => run.cpu.as_millis() as u64,
            _ => counter(&stderr, "CPU time spent (ms)").ok_or_else(|| {
                format!("{name}: no CPU counter in the job's log\n{}", tail(&log))
            })?,
        };
        Ok(Row {
            name: name.to_string(),
            shape,
            map_tasks: counter(&stderr, "Launched map tasks"),
            wall: run.wall,
            cpu_ms,
            gc_ms: counter(&stderr, "GC time elapsed (ms)"),
            check,
        })
    }
}

/// A distinct output directory name for each row of this run.
fn unique_suffix(index: usize) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("{index}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The value of the job counter `name` in a job client's log.
pub fn counter(log: &str, name: &str) -> Option<u64> {
    log.lines().find_map(|l| {
        l.trim()
            .strip_prefix(name)?
            .strip_prefix('=')?
            .trim()
            .parse()
            .ok()
    })
}

fn shell_quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn path_str(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("{} is not UTF-8", path.display()))
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

fn run_hadoop(svc: &Services, args: &[&str]) -> Result<(), String> {
    let out = svc
        .hadoop()
        .args(args)
        .output()
        .map_err(|e| format!("hadoop {}: {e}", args.join(" ")))?;
    out.status.success().then_some(()).ok_or_else(|| {
        format!(
            "hadoop {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )
    })
}

fn logmr_run(logmr: &Path, input: &Path) -> Result<String, String> {
    let out = Command::new(logmr)
        .arg("run")
        .arg(input)
        .output()
        .map_err(|e| format!("{}: {e}", logmr.display()))?;
    if !out.status.success() {
        return Err(format!(
            "logmr run {}: {}",
            input.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| "logmr run printed non-UTF-8".into())
}

fn write_corpus(path: &Path, size: u64, seed: u64) -> Result<corpus::Truth, String> {
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let truth = corpus::generate(Layout::Seed, size, seed, &mut out)
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    std::io::Write::flush(&mut out).map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(truth)
}

/// Cuts the first `size` bytes of `corpus` (at line ends) into `files`
/// files of about equal size in `dir`, named as the sink names its batches
/// of a three-partition topic; returns the number of lines written.
fn write_store(corpus: &Path, dir: &Path, size: u64, files: usize) -> Result<u64, String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let bytes = read_head(corpus, size).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let files = files.max(1);
    let per_file = (bytes.len() / files).max(1);
    let mut at = 0;
    let mut next_offset = [0u64; 3];
    for i in 0..files {
        if at >= bytes.len() {
            return Err(format!(
                "{} holds too few lines for {files} files",
                corpus.display()
            ));
        }
        let mut end = (at + per_file).min(bytes.len());
        end = match memchr_from(&bytes, end) {
            Some(nl) => nl + 1,
            None => bytes.len(),
        };
        let chunk = &bytes[at..end];
        let lines = chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        let partition = i % 3;
        let first = next_offset[partition];
        next_offset[partition] += lines;
        let name = format!(
            "logs_machine+{partition}+{first:012}+{:012}.log",
            first + lines - 1
        );
        std::fs::write(dir.join(name), chunk).map_err(|e| format!("{}: {e}", dir.display()))?;
        at = end;
    }
    Ok(next_offset.iter().sum())
}

/// The first `size` bytes of `path`, and the rest of the line they end in.
fn read_head(path: &Path, size: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{BufRead, Read};
    let mut file = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut bytes = Vec::new();
    (&mut file).take(size).read_to_end(&mut bytes)?;
    if bytes.last().is_some_and(|&b| b != b'\n') {
        file.read_until(b'\n', &mut bytes)?;
    }
    Ok(bytes)
}

fn memchr_from(bytes: &[u8], from: usize) -> Option<usize> {
    let from = from.saturating_sub(1);
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|p| p + from)
}

/// Builds bench/java with Maven (against the services' Hadoop).
fn build_java(root: &Path) -> Result<(), String> {
    let out = Command::new("mvn")
        .args(["-B", "-q", "-Dstyle.color=never", "-f"])
        .arg(root.join("bench/java/pom.xml"))
        .arg("package")
        .output()
        .map_err(|e| format!("cannot run mvn (install Maven): {e}"))?;
    out.status.success().then_some(()).ok_or_else(|| {
        format!(
            "building bench/java failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The table of one input's rows, CPU compared with the `logmr` job's.
pub fn table(results: &Results) -> Table {
    let mut t = Table::new(
        results.title.clone(),
        &[
            "job",
            "input format, split",
            "map tasks",
            "wall s",
            "CPU ms",
            "GC ms",
            "CPU vs logmr",
            "output",
        ],
    );
    let base = results.cpu_of(LOGMR);
    for row in &results.rows {
        t.rows.push(vec![
            row.name.clone(),
            row.shape.clone(),
            row.map_tasks.map_or_else(|| "—".into(), |n| n.to_string()),
            seconds(row.wall),
            row.cpu_ms.to_string(),
            row.gc_ms.map_or_else(|| "—".into(), |n| n.to_string()),
            base.map_or_else(|| "—".into(), |b| ratio(row.cpu_ms as f64 / b)),
            row.check.clone(),
        ]);
    }
    t.notes.push(
        "CPU and GC ms are the job's counters, summed over its tasks (not the client JVM or the \
         application master); the Spark row's CPU is its whole process tree's (the driver JVM, \
         which runs the tasks in local mode, its Python workers and logmr). Wall time is the \
         whole command, reading the result back included: `logcount.sh` also starts one JVM \
         to test the output path first."
            .into(),
    );
    t
}

/// The targets of the job's shape, on one run's results: the store first,
/// then the large file.
pub fn targets(results: &[Results]) -> Vec<Target> {
    let ratio_of = |r: &Results, a: &str, b: &str| Some(r.cpu_of(a)? / r.cpu_of(b)?);
    let mut targets = Vec::new();
    if let [file, store] = results {
        let per_file = ratio_of(store, LOGMR, LOGMR_PER_SPLIT);
        targets.push(Target::new(
            "small-file store: CPU of the job as the scripts run it vs one map task per file",
            "≤ 1/3 (0.33×)",
            per_file.map(|x| (ratio(x), x <= 1.0 / 3.0)),
        ));
        let python = ratio_of(store, LOGMR, PYTHON);
        targets.push(Target::new(
            "small-file store: CPU of the job vs the Python original as the seed ran it",
            "≤ 1/4 (0.25×)",
            python.map(|x| (ratio(x), x <= 0.25)),
        ));
        let java = ratio_of(file, LOGMR, JAVA);
        targets.push(Target::new(
            "one large file: CPU of the job vs native Java MapReduce, the same splits",
            "≤ 1.0×",
            java.map(|x| (ratio(x), x <= 1.0)),
        ));
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_read_from_a_job_log() {
        let log = "\t\tLaunched map tasks=4\n\t\tCPU time spent (ms)=10340\n\t\tGC time elapsed (ms)=77\n";
        assert_eq!(counter(log, "Launched map tasks"), Some(4));
        assert_eq!(counter(log, "CPU time spent (ms)"), Some(10340));
        assert_eq!(counter(log, "GC time elapsed (ms)"), Some(77));
        assert_eq!(counter(log, "Launched reduce tasks"), None);
    }

    #[test]
    fn a_store_holds_every_line_of_its_part_once() {
        let dir = std::env::temp_dir().join(format!("logmr-yarn-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let corpus = dir.join("corpus.log");
        let truth = write_corpus(&corpus, 64 << 10, 7).unwrap();
        let store = dir.join("store");
        let lines = write_store(&corpus, &store, truth.bytes, 5).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&store)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names.len(), 5, "{names:?}");
        assert!(
            names[0].starts_with("logs_machine+0+000000000000+"),
            "{names:?}"
        );
        let mut joined = Vec::new();
        for entry in std::fs::read_dir(&store).unwrap() {
            joined.extend(std::fs::read(entry.unwrap().path()).unwrap());
        }
        assert_eq!(joined.len() as u64, truth.bytes);
        assert_eq!(lines, truth.lines);
        let counted: usize = joined.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(counted as u64, truth.lines);
        let half = write_store(&corpus, &store, truth.bytes / 2, 2).unwrap();
        let head = read_head(&corpus, truth.bytes / 2).unwrap();
        assert!(head.len() as u64 >= truth.bytes / 2 && head.ends_with(b"\n"));
        assert_eq!(half, head.iter().filter(|&&b| b == b'\n').count() as u64);
        assert!(half < truth.lines);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
