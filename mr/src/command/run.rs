//! `logmr run`: the whole map → combine → reduce job on all cores. Inputs
//! become map tasks (chunks of plain files that end at line ends; a gzip or
//! UTF-16 file, a FIFO or stdin whole), which worker threads take in turn;
//! each counts in its own [`Counter`], and the counters are merged at the
//! end. With `--by`, a worker whose key table passes its share of
//! `--memory` writes it to a temporary file as a sorted run; the runs are
//! merged at the end (`runs`). The output is what the Hadoop-style
//! pipeline `logmr map | sort | logmr reduce` prints for the same input,
//! followed by `logmr templates` when the keys have a template part.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::keys::KeyMaker;
use crate::level::Detector;
use crate::linebuf::{DEFAULT_READ_SIZE, LineBuffer};
use crate::map::{Counter, MapStats};
use crate::progress::Progress;
use crate::reduce::{Groups, parse_line};
use crate::runs::{self, RunFile};
use crate::streaming::in_hadoop_task;
use crate::tasks::Task;
use crate::units::human_bytes;

use super::ReadOptions;
use super::map::{MapOptions, report_stats};
use super::reduce::KeyTotals;
use super::templates::{Learner, LearnerInput, Relabel};

/// Options of `logmr run`.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Where the input is and how it is read.
    pub read: ReadOptions,
    pub detector: Detector,
    /// Group-by keys other than the level alone.
    pub keys: Option<KeyMaker>,
    /// Between key and total on output.
    pub separator: Vec<u8>,
    /// Worker threads.
    pub jobs: usize,
    /// Bytes per map task of a plain file.
    pub chunk: u64,
    /// The most memory the `--by` key tables of all workers may take
    /// together before they are written to temporary files.
    pub memory: usize,
}

/// One worker's counts: in its counter, and in the runs it wrote out.
struct Partial<'a> {
    counter: Counter<'a>,
    stats: MapStats,
    runs: RunFile,
    /// Where each run in `runs` ends.
    ends: Vec<u64>,
}

/// Shared between the workers: the next task, progress, and a stop flag.
struct Shared<'a> {
    tasks: &'a [Task],
    next: AtomicUsize,
    bytes: AtomicU64,
    lines: AtomicU64,
    failed: AtomicBool,
    workers: usize,
}

fn worker<'a>(opts: &'a RunOptions, shared: &Shared<'_>, index: usize) -> Result<Partial<'a>> {
    let mut partial = Partial {
        counter: Counter::new(&opts.detector, opts.keys.as_ref()),
        stats: MapStats::default(),
        runs: RunFile::new(index),
        ends: Vec::new(),
    };
    let mut spill = partial.runs.spill(opts.memory / shared.workers);
    let mut buf = LineBuffer::new(DEFAULT_READ_SIZE, opts.read.max_line);
    while !shared.failed.load(Ordering::Relaxed) {
        let Some(task) = shared
            .tasks
            .get(shared.next.fetch_add(1, Ordering::Relaxed))
        else {
            break;
        };
        let (mut seen_bytes, mut seen_lines) = (0, 0);
        let on_block = |bytes: u64, lines: u64| {
            shared
                .bytes
                .fetch_add(bytes - seen_bytes, Ordering::Relaxed);
            shared
                .lines
                .fetch_add(lines - seen_lines, Ordering::Relaxed);
            (seen_bytes, seen_lines) = (bytes, lines);
        };
        let stats = super::map_task(task, &mut buf, |input, rdr, buf| {
            partial
                .counter
                .count(input, rdr, buf, on_block, Some(&mut spill))
        })?;
        partial.stats.merge(stats);
    }
    partial.ends = std::mem::take(&mut spill.ends);
    Ok(partial)
}

/// Runs `logmr run`, writing to `out`. Output is complete only on `Ok`.
pub fn run(opts: &RunOptions, out: &mut dyn Write) -> Result<MapStats> {
    let tasks = super::plan(&opts.read.inputs, opts.chunk)?;
    let total_bytes = super::total_size(&tasks);
    let shared = Shared {
        tasks: &tasks,
        next: AtomicUsize::new(0),
        bytes: AtomicU64::new(0),
        lines: AtomicU64::new(0),
        failed: AtomicBool::new(false),
        workers: opts.jobs.clamp(1, tasks.len().max(1)),
    };
    let workers = shared.workers;
    let mut progress = Progress::new(
        "logmr run",
        opts.read.reporter,
        opts.read.quiet,
        total_bytes,
    );
    let (done_tx, done_rx) = mpsc::channel();
    let results: Vec<Result<Partial<'_>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|index| {
                let done = done_tx.clone();
                let shared = &shared;
                scope.spawn(move || {
                    let result = worker(opts, shared, index);
                    if result.is_err() {
                        shared.failed.store(true, Ordering::Relaxed);
                    }
                    let _ = done.send(());
                    result
                })
            })
            .collect();
        // Progress while the workers run; woken at once when the last ends.
        let mut running = workers;
        while running > 0 {
            match done_rx.recv_timeout(Duration::from_millis(200)) {
                Ok(()) => running -= 1,
                Err(_) => progress.update(
                    shared.bytes.load(Ordering::Relaxed),
                    shared.lines.load(Ordering::Relaxed),
                ),
            }
        }
        handles
            .into_iter()
            .map(|h| h.join().expect("a map worker panicked"))
            .collect()
    });
    progress.done(
        shared.bytes.load(Ordering::Relaxed),
        shared.lines.load(Ordering::Relaxed),
    );

    let partials = results.into_iter().collect::<Result<Vec<_>>>()?;
    let mut stats = MapStats::default();
    let mut unknown = 0;
    for partial in &partials {
        stats.merge(partial.stats);
        unknown += partial.counter.unknown();
    }
    // Keys with a template part are counted by pre-template first, and the
    // templates learned from that table (as `logmr templates` does after a
    // Hadoop job).
    let template_part = opts.keys.as_ref().and_then(|k| k.spec().template_part());
    let mut learning = template_part
        .map(|part| LearnerInput::new(Learner::new(Some(part), opts.memory), &opts.separator));
    let counted: &mut dyn Write = match &mut learning {
        Some(input) => input,
        None => &mut *out,
    };
    let written = if partials.iter().any(|p| !p.ends.is_empty()) {
        merge_runs(opts, partials, counted)
    } else {
        let mut total = Counter::new(&opts.detector, opts.keys.as_ref());
        for partial in partials {
            total.merge(partial.counter);
        }
        total.write(counted, &opts.separator).map_err(Error::Write)
    };
    match learning {
        // The learner's own error first: the table's writer only saw it fail.
        Some(input) => {
            let learner = input.into_learner()?;
            written?;
            learner.finish(out, &opts.separator)?;
        }
        None => written?,
    }
    out.flush().map_err(Error::Write)?;
    report_stats(
        opts.read.reporter,
        opts.read.max_line,
        &stats,
        Some(unknown),
    );
    Ok(stats)
}

/// Writes the totals of workers of whom some wrote runs: every table left
/// in memory becomes a run too, and all runs are merged.
fn merge_runs(opts: &RunOptions, partials: Vec<Partial<'_>>, out: &mut dyn Write) -> Result<()> {
    let mut files = Vec::with_capacity(partials.len());
    let mut readers = Vec::new();
    let spills: usize = partials.iter().map(|p| p.ends.len()).sum();
    for mut partial in partials {
        let mut spill = partial.runs.spill(usize::MAX);
        spill.ends = std::mem::take(&mut partial.ends);
        spill.run(|out, sep| partial.counter.write(out, sep))?;
        let ends = std::mem::take(&mut spill.ends);
        readers.extend(partial.runs.runs(&ends)?);
        files.push(partial.runs);
    }
    if !in_hadoop_task() {
        super::warn(format_args!(
            "the key tables passed {} and were written to {spills} sorted run(s) in {}; merging them",
            human_bytes(opts.memory as u64),
            std::env::temp_dir().display()
        ));
    }
    let mut groups = Groups::new(out, &opts.separator);
    runs::merge_all(readers, "the runs of the key tables", &mut groups)?;
    groups.finish().map_err(Error::Write)?;
    // The files are removed only now that every run has been read.
    drop(files);
    Ok(())
}

/// `logmr run --emit-each`: every line's key in input order, its template
/// part the learned template. The inputs are read twice: once to learn the
/// templates (as [`run`] does), once to put each line under them (as `map
/// --emit-each --templates` does). So they must be files or directories.
pub fn each_line(opts: &RunOptions, out: &mut dyn Write) -> Result<MapStats> {
    let keys = opts.keys.as_ref();
    let Some(part) = keys.and_then(|k| k.spec().template_part()) else {
        return Err(Error::Usage(
            "run --emit-each learns templates: give --by a template part \
             (logmr map --emit-each gives the other keys line by line)"
                .into(),
        ));
    };
    let once = |p: &std::path::PathBuf| {
        p.as_os_str() == "-"
            || std::fs::metadata(p).is_ok_and(|m| {
                use std::os::unix::fs::FileTypeExt;
                m.file_type().is_fifo() || m.file_type().is_char_device()
            })
    };
    if opts.read.inputs.is_empty() || opts.read.inputs.iter().any(once) {
        return Err(Error::Usage(
            "run --emit-each reads its inputs twice (to learn the templates, then to \
             put each line under them): give files or directories, not standard input or \
             a pipe"
                .into(),
        ));
    }
    let mut learned = Vec::new();
    run(opts, &mut learned)?;
    let table: KeyTotals = learned
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (key, count) =
                parse_line(line, &opts.separator).expect("run writes KEY<SEP>COUNT lines");
            (key.to_vec(), count)
        })
        .collect();
    let map = MapOptions {
        read: opts.read.clone(),
        detector: opts.detector.clone(),
        keys: opts.keys.clone(),
        separator: opts.separator.clone(),
        emit_each: true,
        templates: Some(Relabel::from_table(&table, part)?),
        memory: opts.memory,
    };
    super::map::run(&map, out)
}
