//! The level-count comparison: logmr beside `wc -l`, `cat`, the original
//! Python job, awk, `cut | sort | uniq -c` and ripgrep, on the same corpora
//! in the same run. Every tool that counts levels must agree with the
//! corpus's ground truth; a disagreement stops the run.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::corpus::{Layout, Truth, generate};
use crate::counts::{Counts, Parse, parse};
use crate::machine::has;
use crate::measure::{Sample, Shell};
use crate::report::{Table, code, mib, ratio, seconds};

/// Settings of a comparison run.
#[derive(Clone, Debug)]
pub struct Config {
    pub logmr: PathBuf,
    pub python_script: PathBuf,
    /// Where corpora are generated and cached.
    pub work_dir: PathBuf,
    /// Size of each corpus in bytes.
    pub size: u64,
    /// Size of the slice the Python job runs on; its time is scaled up.
    pub python_size: u64,
    pub runs: usize,
    /// Runs of the slow rows (gawk, sorts of every line, Python).
    pub slow_runs: usize,
    pub seed: u64,
}

/// A generated corpus on disk.
#[derive(Clone, Debug)]
pub struct CorpusFile {
    pub path: PathBuf,
    pub truth: Truth,
}

/// The corpus for (layout, size, seed), generated once and cached with its
/// ground truth beside it.
pub fn corpus(work_dir: &Path, layout: Layout, size: u64, seed: u64) -> Result<CorpusFile, String> {
    std::fs::create_dir_all(work_dir)
        .map_err(|e| format!("creating {}: {e}", work_dir.display()))?;
    let path = work_dir.join(format!(
        "{}-v{}-{size}-seed{seed}.log",
        layout.name(),
        crate::corpus::VERSION
    ));
    let truth_path = path.with_extension("truth");
    if let Some(truth) = read_truth(&truth_path).filter(|t| file_len(&path) == Some(t.bytes)) {
        return Ok(CorpusFile { path, truth });
    }
    let file = File::create(&path).map_err(|e| format!("creating {}: {e}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let truth = generate(layout, size, seed, &mut out)
        .and_then(|t| out.flush().map(|_| t))
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    write_truth(&truth_path, &truth)?;
    Ok(CorpusFile { path, truth })
}

fn file_len(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}

fn read_truth(path: &Path) -> Option<Truth> {
    let file = File::open(path).ok()?;
    let mut truth = Truth::default();
    for line in BufReader::new(file).lines() {
        let line = line.ok()?;
        let (key, n) = line.split_once('\t')?;
        let n: u64 = n.parse().ok()?;
        match key {
            "#lines" => truth.lines = n,
            "#bytes" => truth.bytes = n,
            _ => {
                truth.counts.insert(key.to_string(), n);
            }
        }
    }
    Some(truth)
}

fn write_truth(path: &Path, truth: &Truth) -> Result<(), String> {
    let text = format!(
        "#lines\t{}\n#bytes\t{}\n{}",
        truth.lines,
        truth.bytes,
        truth.as_reduce_output()
    );
    std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// One tool's command, as a template over `{file}`, `{slice}`, `{gz}`,
/// `{logmr}` and `{py}`.
struct Spec {
    name: String,
    template: String,
    parse: Parse,
    /// The tool that must be installed for the row to run.
    needs: Option<&'static str>,
    slow: bool,
    /// What the row reads.
    reads: Reads,
    /// Runs beside a process that keeps one core busy.
    beside_hog: bool,
}

/// The input of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reads {
    Corpus,
    /// The Python slice, its time scaled to the corpus.
    Slice,
    /// The corpus gzipped (`{gz}`).
    Gzip,
}

fn spec(name: &str, template: &str, parse: Parse) -> Spec {
    Spec {
        name: name.to_string(),
        template: template.to_string(),
        parse,
        needs: None,
        slow: false,
        reads: Reads::Corpus,
        beside_hog: false,
    }
}

impl Spec {
    fn needs(mut self, tool: &'static str) -> Spec {
        self.needs = Some(tool);
        self
    }

    fn slow(mut self) -> Spec {
        self.slow = true;
        self
    }

    fn reads(mut self, reads: Reads) -> Spec {
        self.reads = reads;
        self
    }

    fn beside_hog(mut self) -> Spec {
        self.beside_hog = true;
        self
    }
}

/// Starts a busy loop that the script's exit ends.
const HOG: &str = "(while :; do :; done) & hog=$!; trap 'kill $hog' EXIT; ";

/// The names of the rows the targets read.
pub const MAP_BY_HOUR: &str = "logmr map --by level,hour FILE";
pub const RUN_GZ: &str = "logmr run FILE.gz";
pub const PIGZ_MAP: &str = "pigz -dc FILE.gz | logmr map";
pub const RUN_GZ_HOG: &str = "logmr run FILE.gz, a CPU hog beside";
pub const PIGZ_MAP_HOG: &str = "pigz -dc FILE.gz | logmr map, a CPU hog beside";

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

/// The awk rows' program: the first bracketed level of each line.
const AWK_PROGRAM: &str = r#"'match($0, /\[(INFO|WARN|ERROR|DEBUG)\]/) { c[substr($0, RSTART + 1, RLENGTH - 2)]++ } END { for (k in c) print k "\t" c[k] }'"#;

fn specs(layout: Layout) -> Vec<Spec> {
    let mut rows = vec![
        spec("wc -l FILE", "wc -l < {file}", Parse::Single("#lines")),
        spec(
            "cat FILE > /dev/null",
            "cat {file} > /dev/null",
            Parse::None,
        ),
        spec("logmr map FILE", "{logmr} map {file}", Parse::KeyCount),
        spec("logmr map < FILE", "{logmr} map < {file}", Parse::KeyCount),
        spec("logmr run FILE", "{logmr} run {file}", Parse::KeyCount),
        spec(
            MAP_BY_HOUR,
            "{logmr} map --by level,hour {file}",
            Parse::FirstPart,
        ),
        spec(
            "logmr map | sort | logmr reduce",
            "{logmr} map {file} | LC_ALL=C sort | {logmr} reduce",
            Parse::KeyCount,
        ),
        spec(
            "logmr map --emit-each | sort | logmr reduce",
            "{logmr} map --emit-each {file} | LC_ALL=C sort | {logmr} reduce",
            Parse::KeyCount,
        )
        .slow(),
    ];
    if layout == Layout::Seed {
        let awk = |awk: &str| format!("{awk} {AWK_PROGRAM} {{file}}");
        let run_gz = "{logmr} run {gz}";
        let pigz_map = "pigz -dc {gz} | {logmr} map";
        rows.extend([
            spec(RUN_GZ, run_gz, Parse::KeyCount).reads(Reads::Gzip),
            spec(PIGZ_MAP, pigz_map, Parse::KeyCount)
                .reads(Reads::Gzip)
                .needs("pigz"),
            spec(RUN_GZ_HOG, run_gz, Parse::KeyCount)
                .reads(Reads::Gzip)
                .beside_hog(),
            spec(PIGZ_MAP_HOG, pigz_map, Parse::KeyCount)
                .reads(Reads::Gzip)
                .needs("pigz")
                .beside_hog(),
            spec(
                "Python mapper | sort | reducer",
                "python3 {py} mapper < {slice} | LC_ALL=C sort | python3 {py} reducer",
                Parse::KeyCount,
            )
            .reads(Reads::Slice)
            .needs("python3")
            .slow(),
            spec("mawk", &awk("mawk"), Parse::KeyCount).needs("mawk"),
            spec("gawk", &awk("LC_ALL=C gawk"), Parse::KeyCount)
                .needs("gawk")
                .slow(),
            spec(
                "cut | sort | uniq -c",
                "cut -d' ' -f3 {file} | LC_ALL=C sort | uniq -c",
                Parse::UniqC,
            )
            .slow(),
            spec(
                "rg -c (one level)",
                "rg -c -F '[ERROR]' {file}",
                Parse::Single("ERROR"),
            )
            .needs("rg"),
        ]);
    }
    rows
}

/// Fills in a template's placeholders.
fn expand(template: &str, file: &str, slice: &str, logmr: &str, py: &str) -> String {
    template
        .replace("{file}", file)
        .replace("{gz}", &format!("{file}.gz"))
        .replace("{slice}", slice)
        .replace("{logmr}", logmr)
        .replace("{py}", py)
}

/// A measured row.
#[derive(Clone, Debug)]
pub struct Measured {
    pub name: String,
    /// The command, with FILE and SLICE for the corpus paths.
    pub command: String,
    /// Bytes the row actually read.
    pub bytes: u64,
    pub median: Duration,
    /// The median scaled to the full corpus (differs only for slices).
    pub scaled: Duration,
    /// The median CPU time (user and system, all processes waited for),
    /// scaled likewise.
    pub cpu: Duration,
    pub max_rss: u64,
    pub on_slice: bool,
}

impl Measured {
    pub fn throughput(&self) -> f64 {
        self.bytes as f64 / self.median.as_secs_f64()
    }
}

/// The results for one corpus.
#[derive(Clone, Debug)]
pub struct Results {
    pub layout: Layout,
    pub corpus: CorpusFile,
    pub slice: Option<CorpusFile>,
    pub rows: Vec<Measured>,
    pub missing: Vec<(String, &'static str)>,
}

impl Results {
    pub fn row(&self, name: &str) -> Option<&Measured> {
        self.rows.iter().find(|r| r.name == name)
    }

    fn time_of(&self, name: &str) -> Option<f64> {
        self.row(name).map(|r| r.scaled.as_secs_f64())
    }

    fn cpu_of(&self, name: &str) -> Option<f64> {
        self.row(name).map(|r| r.cpu.as_secs_f64())
    }
}

/// Checks a row's counts against the truth of the input it read.
fn check(spec: &Spec, counts: Option<Counts>, truth: &Truth) -> Result<(), String> {
    let Some(counts) = counts else { return Ok(()) };
    let want: Counts = match spec.parse {
        Parse::Single("#lines") => [("#lines".to_string(), truth.lines)].into(),
        Parse::Single(key) => {
            [(key.to_string(), truth.counts.get(key).copied().unwrap_or(0))].into()
        }
        _ => truth.counts.clone(),
    };
    if counts == want {
        Ok(())
    } else {
        Err(format!(
            "{} disagrees with the ground truth:\n  got  {counts:?}\n  want {want:?}",
            spec.name
        ))
    }
}

/// Puts `path` in the page cache in the state a first read leaves it in:
/// dropped (`dd iflag=nocache`, which needs no privilege), then read once.
///
/// Where the page cache has held a file for long, as on a VM whose host
/// reclaims memory in the background, the kernel's copy out of it can take
/// nearly three times as long (bench/notes.md). Settling before each row
/// gives every row the same start, run after run.
fn settle_page_cache(path: &Path) -> Result<(), String> {
    let file = quote(path);
    crate::measure::run(
        Shell::Bash,
        &format!("dd if={file} iflag=nocache count=0 status=none && cat {file} > /dev/null"),
    )
    .map(drop)
}

/// Measures every row on one layout's corpus.
pub fn measure(
    cfg: &Config,
    layout: Layout,
    mut progress: impl FnMut(&str),
) -> Result<Results, String> {
    progress(&format!(
        "generating the {} corpus ({} bytes)",
        layout.name(),
        cfg.size
    ));
    let corpus = corpus(&cfg.work_dir, layout, cfg.size, cfg.seed)?;
    let slice = if layout == Layout::Seed {
        Some(self::corpus(
            &cfg.work_dir,
            layout,
            cfg.python_size.min(cfg.size),
            cfg.seed,
        )?)
    } else {
        None
    };
    let slice_path = slice
        .as_ref()
        .map_or(corpus.path.clone(), |s| s.path.clone());
    let mut results = Results {
        layout,
        corpus: corpus.clone(),
        slice: slice.clone(),
        rows: Vec::new(),
        missing: Vec::new(),
    };
    let (file, slice_file) = (quote(&corpus.path), quote(&slice_path));
    let (logmr, py) = (quote(&cfg.logmr), quote(&cfg.python_script));
    for spec in specs(layout) {
        if let Some(tool) = spec.needs.filter(|t| !has(t)) {
            results.missing.push((spec.name, tool));
            continue;
        }
        let input = match spec.reads {
            Reads::Slice => slice.as_ref().unwrap_or(&corpus),
            Reads::Corpus | Reads::Gzip => &corpus,
        };
        let read_path = match spec.reads {
            Reads::Gzip => gzipped(&corpus.path, &mut progress)?,
            _ => input.path.clone(),
        };
        let runs = if spec.slow { cfg.slow_runs } else { cfg.runs };
        progress(&format!("{}: {} ({runs} runs)", layout.name(), spec.name));
        settle_page_cache(&read_path)?;
        let mut script = expand(&spec.template, &file, &slice_file, &logmr, &py);
        if spec.beside_hog {
            script.insert_str(0, HOG);
        }
        let shell = if spec.template.contains('|') || spec.beside_hog {
            Shell::Bash
        } else {
            Shell::Exec
        };
        let sample = Sample::take(shell, &script, runs)?;
        check(&spec, parse(spec.parse, sample.stdout())?, &input.truth)?;
        let median = sample.median_wall();
        let scale = corpus.truth.bytes as f64 / input.truth.bytes as f64;
        results.rows.push(Measured {
            command: expand(&spec.template, "FILE", "SLICE", "logmr", "log_mapreduce.py"),
            name: spec.name,
            bytes: input.truth.bytes,
            median,
            scaled: median.mul_f64(scale),
            cpu: sample.median_cpu().mul_f64(scale),
            max_rss: sample.max_rss(),
            on_slice: spec.reads == Reads::Slice,
        });
    }
    Ok(results)
}

/// `path` gzipped beside it (`PATH.gz`, default level), made once.
fn gzipped(path: &Path, progress: &mut impl FnMut(&str)) -> Result<PathBuf, String> {
    let gz = PathBuf::from(format!("{}.gz", path.display()));
    if gz.exists() {
        return Ok(gz);
    }
    progress(&format!("gzipping {}", path.display()));
    let partial = PathBuf::from(format!("{}.partial", gz.display()));
    crate::measure::run(
        Shell::Bash,
        &format!("gzip -c {} > {}", quote(path), quote(&partial)),
    )?;
    std::fs::rename(&partial, &gz).map_err(|e| format!("renaming {}: {e}", partial.display()))?;
    Ok(gz)
}

/// One target of the issue, checked against the measurements.
#[derive(Clone, Debug)]
pub struct Target {
    pub what: String,
    pub goal: String,
    pub measured: Option<String>,
    pub met: Option<bool>,
}

impl Target {
    /// A target with its measured value and whether it is met, if measured.
    pub fn new(what: &str, goal: &str, value: Option<(String, bool)>) -> Target {
        Target {
            what: what.to_string(),
            goal: goal.to_string(),
            measured: value.as_ref().map(|v| v.0.clone()),
            met: value.map(|v| v.1),
        }
    }
}

/// The performance targets, evaluated on one run's results.
pub fn targets(seed: &Results, mixed: &Results) -> Vec<Target> {
    let vs_wc = |r: &Results, row: &str| {
        let wc = r.row("wc -l FILE")?.throughput();
        Some(r.row(row)?.throughput() / wc)
    };
    let cpu_vs_level = |r: &Results| Some(r.cpu_of(MAP_BY_HOUR)? / r.cpu_of("logmr map FILE")?);
    let time_vs = |row: &str, baseline: &str| Some(seed.time_of(row)? / seed.time_of(baseline)?);
    let speedup = |r: &Results, baseline: &str| {
        Some(r.time_of(baseline)? / r.time_of("logmr map | sort | logmr reduce")?)
    };
    let run_speedup =
        |r: &Results| Some(r.time_of("logmr map FILE")? / r.time_of("logmr run FILE")?);
    let rss = seed
        .rows
        .iter()
        .chain(&mixed.rows)
        .filter(|r| r.name == "logmr map FILE" || r.name == "logmr map < FILE")
        .map(|r| r.max_rss)
        .max();
    vec![
        Target::new(
            "`logmr map FILE` throughput vs `wc -l`, seed layout",
            "≥ 0.60×",
            vs_wc(seed, "logmr map FILE").map(|x| (ratio(x), x >= 0.6)),
        ),
        Target::new(
            "`logmr map FILE` throughput vs `wc -l`, mixed layout",
            "≥ 0.35×",
            vs_wc(mixed, "logmr map FILE").map(|x| (ratio(x), x >= 0.35)),
        ),
        Target::new(
            "`logmr run FILE` throughput vs `wc -l`, seed layout",
            "≥ 0.9× on 2 cores",
            vs_wc(seed, "logmr run FILE").map(|x| (ratio(x), x >= 0.9)),
        ),
        Target::new(
            "CPU of `logmr map --by level,hour FILE` vs `logmr map FILE`, seed layout",
            "≤ 2×",
            cpu_vs_level(seed).map(|x| (ratio(x), x <= 2.0)),
        ),
        Target::new(
            "CPU of `logmr map --by level,hour FILE` vs `logmr map FILE`, mixed layout",
            "≤ 2×",
            cpu_vs_level(mixed).map(|x| (ratio(x), x <= 2.0)),
        ),
        Target::new(
            "wall time of `logmr run FILE.gz` vs `pigz -dc FILE.gz | logmr map`",
            "≤ 1×",
            time_vs(RUN_GZ, PIGZ_MAP).map(|x| (ratio(x), x <= 1.0)),
        ),
        Target::new(
            "the same, a CPU hog beside both",
            "≤ 1×",
            time_vs(RUN_GZ_HOG, PIGZ_MAP_HOG).map(|x| (ratio(x), x <= 1.0)),
        ),
        Target::new(
            "logmr pipeline speed-up over the Python pipeline",
            "≥ 100×",
            speedup(seed, "Python mapper | sort | reducer").map(|x| (ratio(x), x >= 100.0)),
        ),
        Target::new(
            "logmr pipeline speed-up over mawk",
            "≥ 8×",
            speedup(seed, "mawk").map(|x| (ratio(x), x >= 8.0)),
        ),
        Target::new(
            "`logmr run FILE` speed-up over `logmr map FILE` (all cores), seed layout",
            "≥ 1.8× on 2 cores",
            run_speedup(seed).map(|x| (ratio(x), x >= 1.8)),
        ),
        Target::new(
            "`logmr run FILE` speed-up over `logmr map FILE` (all cores), mixed layout",
            "≥ 1.8× on 2 cores",
            run_speedup(mixed).map(|x| (ratio(x), x >= 1.8)),
        ),
        Target::new(
            "peak RSS of `logmr map`",
            "< 20 MiB",
            rss.map(|b| (format!("{} MiB", mib(b)), b < 20 << 20)),
        ),
    ]
}

/// The table of one corpus's results.
pub fn table(r: &Results) -> Table {
    let wc = r.row("wc -l FILE").map(Measured::throughput);
    let python = r.time_of("Python mapper | sort | reducer");
    let mut t = Table::new(
        format!(
            "Level count, {} layout: {} MiB, {} lines",
            r.layout.name(),
            mib(r.corpus.truth.bytes),
            r.corpus.truth.lines
        ),
        &[
            "tool",
            "command",
            "median s",
            "CPU s",
            "MB/s",
            "vs `wc -l`",
            "vs Python",
            "peak RSS MiB",
        ],
    );
    for row in &r.rows {
        let mut name = row.name.replace('|', "\\|");
        if row.on_slice {
            name.push_str(" ¹");
        }
        t.rows.push(vec![
            name,
            code(&row.command),
            seconds(row.scaled),
            seconds(row.cpu),
            format!("{:.0}", row.throughput() / 1e6),
            wc.map_or("—".into(), |w| ratio(row.throughput() / w)),
            python.map_or("—".into(), |p| ratio(p / row.scaled.as_secs_f64())),
            mib(row.max_rss),
        ]);
    }
    for (name, tool) in &r.missing {
        t.push_unmeasured(name, format!("not installed: `{tool}`"));
    }
    if let Some(slice) = &r.slice {
        t.notes.push(format!(
            "¹ Run on the first {} MiB ({} lines) of the corpus; its time is scaled by size to the whole corpus. \
             MB/s and peak RSS are its own.",
            mib(slice.truth.bytes),
            slice.truth.lines
        ));
    }
    t.notes.push(
        "Median of several runs, page cache warm: before each row the corpus is dropped from the page cache and read back once. \"vs `wc -l`\" is throughput as a fraction of `wc -l`'s; \
         \"vs Python\" is how many times faster than the Python pipeline. Peak RSS is that of the largest process of the command (for pipelines, any of them). \
         CPU s is the median user and system time of all its processes (not the CPU hog's). FILE.gz is the corpus gzipped at gzip's default level; \
         its rows' MB/s count the bytes inflated. A CPU hog is a shell loop kept running beside the command. \
         Every row that counts levels matched the generator's ground truth."
            .into(),
    );
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_is_cached_with_its_truth() {
        let dir = std::env::temp_dir().join(format!("logmr-bench-corpus-{}", std::process::id()));
        let a = corpus(&dir, Layout::Mixed, 50_000, 9).unwrap();
        let modified = std::fs::metadata(&a.path).unwrap().modified().unwrap();
        let b = corpus(&dir, Layout::Mixed, 50_000, 9).unwrap();
        assert_eq!(a.truth, b.truth);
        assert_eq!(
            std::fs::metadata(&b.path).unwrap().modified().unwrap(),
            modified
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn disagreement_is_an_error() {
        let truth = Truth {
            counts: [("INFO".to_string(), 2)].into(),
            lines: 2,
            bytes: 10,
        };
        let s = spec("x", "", Parse::KeyCount);
        assert!(check(&s, Some([("INFO".to_string(), 2)].into()), &truth).is_ok());
        let err = check(&s, Some([("INFO".to_string(), 1)].into()), &truth).unwrap_err();
        assert!(err.contains("x disagrees"), "{err}");
        let wc = spec("wc", "", Parse::Single("#lines"));
        assert!(check(&wc, Some([("#lines".to_string(), 2)].into()), &truth).is_ok());
    }
}
