//! `logmr run`: the whole map → combine → reduce job on all cores. Inputs
//! become map tasks (chunks of plain files that end at line ends; a gzip or
//! UTF-16 file, a FIFO or stdin whole), which worker threads take in turn;
//! each counts in its own [`Counter`], and the counters are merged at the
//! end. The output is what the Hadoop-style
//! pipeline `logmr map | sort | logmr reduce` prints for the same input.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::keys::KeyMaker;
use crate::level::Detector;
use crate::linebuf::{DEFAULT_READ_SIZE, LineBuffer};
use crate::map::{Counter, MapStats};
use crate::progress::Progress;
use crate::streaming::Reporter;
use crate::tasks::Task;

use super::map::report_stats;

/// Options of `logmr run`.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Files, directories and globs; none or `-` is standard input.
    pub inputs: Vec<PathBuf>,
    pub detector: Detector,
    /// Group-by keys other than the level alone.
    pub keys: Option<KeyMaker>,
    /// Between key and total on output.
    pub separator: Vec<u8>,
    /// Worker threads.
    pub jobs: usize,
    /// Bytes per map task of a plain file.
    pub chunk: u64,
    pub reporter: Reporter,
    pub quiet: bool,
    pub max_line: usize,
}

/// One worker's counts.
struct Partial<'a> {
    counter: Counter<'a>,
    stats: MapStats,
}

/// Shared between the workers: the next task, progress, and a stop flag.
struct Shared<'a> {
    tasks: &'a [Task],
    next: AtomicUsize,
    bytes: AtomicU64,
    lines: AtomicU64,
    failed: AtomicBool,
}

fn worker<'a>(opts: &'a RunOptions, shared: &Shared<'_>) -> Result<Partial<'a>> {
    let mut partial = Partial {
        counter: Counter::new(&opts.detector, opts.keys.as_ref()),
        stats: MapStats::default(),
    };
    let mut buf = LineBuffer::new(DEFAULT_READ_SIZE, opts.max_line);
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
            partial.counter.count(input, rdr, buf, on_block, None)
        })?;
        partial.stats.merge(stats);
    }
    Ok(partial)
}

/// Runs `logmr run`, writing to `out`. Output is complete only on `Ok`.
pub fn run(opts: &RunOptions, out: &mut dyn Write) -> Result<MapStats> {
    let tasks = super::plan(&opts.inputs, opts.chunk)?;
    let total_bytes = super::total_size(&tasks);
    let shared = Shared {
        tasks: &tasks,
        next: AtomicUsize::new(0),
        bytes: AtomicU64::new(0),
        lines: AtomicU64::new(0),
        failed: AtomicBool::new(false),
    };
    let workers = opts.jobs.clamp(1, tasks.len().max(1));
    let mut progress = Progress::new("logmr run", opts.reporter, opts.quiet, total_bytes);
    let (done_tx, done_rx) = mpsc::channel();
    let results: Vec<Result<Partial<'_>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let done = done_tx.clone();
                let shared = &shared;
                scope.spawn(move || {
                    let result = worker(opts, shared);
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

    let mut total = Partial {
        counter: Counter::new(&opts.detector, opts.keys.as_ref()),
        stats: MapStats::default(),
    };
    for result in results {
        let partial = result?;
        total.counter.merge(partial.counter);
        total.stats.merge(partial.stats);
    }
    total
        .counter
        .write(out, &opts.separator)
        .map_err(Error::Write)?;
    out.flush().map_err(Error::Write)?;
    report_stats(
        opts.reporter,
        opts.max_line,
        &total.stats,
        Some(total.counter.unknown()),
    );
    Ok(total.stats)
}
