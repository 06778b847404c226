//! `logmr run`: the whole map → combine → reduce job on all cores. Inputs
//! become map tasks (a task per `.gz` file, chunks of other files that end
//! at line ends), which worker threads take in turn; each keeps its own
//! counts, which are merged at the end. The output is what the Hadoop-style
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
use crate::map::{KeyCounts, KeyedCounts, MapStats, map_input, map_lines};
use crate::output::write_sorted;
use crate::progress::Progress;
use crate::streaming::Reporter;
use crate::tasks::{self, Task};

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
struct Partial {
    levels: KeyCounts,
    keyed: KeyedCounts,
    unknown: u64,
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

fn worker(opts: &RunOptions, shared: &Shared<'_>) -> Result<Partial> {
    let detector = &opts.detector;
    let unknown_level = detector.table().unknown();
    let mut partial = Partial {
        levels: KeyCounts::new(detector),
        keyed: KeyedCounts::default(),
        unknown: 0,
        stats: MapStats::default(),
    };
    let mut buf = LineBuffer::new(DEFAULT_READ_SIZE, opts.max_line);
    let mut key = Vec::with_capacity(256);
    while !shared.failed.load(Ordering::Relaxed) {
        let Some(task) = shared
            .tasks
            .get(shared.next.fetch_add(1, Ordering::Relaxed))
        else {
            break;
        };
        let mut rdr = task.open()?;
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
        let stats = match &opts.keys {
            None => map_input(
                &task.input,
                &mut rdr,
                &mut buf,
                detector,
                |k| {
                    partial.levels.add(k);
                    Ok(())
                },
                on_block,
            )?,
            Some(maker) => map_lines(
                &task.input,
                &mut rdr,
                &mut buf,
                |line| {
                    if maker.write_key(detector, line, &mut key) == unknown_level {
                        partial.unknown += 1;
                    }
                    partial.keyed.add(&key, 1);
                    Ok(())
                },
                on_block,
            )?,
        };
        partial.stats.merge(stats);
    }
    Ok(partial)
}

/// Runs `logmr run`, writing to `out`. Output is complete only on `Ok`.
pub fn run(opts: &RunOptions, out: &mut dyn Write) -> Result<MapStats> {
    let inputs = if opts.inputs.is_empty() {
        vec![crate::input::Input::Stdin]
    } else {
        tasks::expand(&opts.inputs)?
    };
    let tasks = tasks::plan(inputs, opts.chunk.max(1))?;
    let total_bytes = tasks.iter().map(Task::size).sum::<Option<u64>>();
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
    let results: Vec<Result<Partial>> = std::thread::scope(|scope| {
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
        levels: KeyCounts::new(&opts.detector),
        keyed: KeyedCounts::default(),
        unknown: 0,
        stats: MapStats::default(),
    };
    for result in results {
        let partial = result?;
        total.levels.merge(&partial.levels);
        total.keyed.merge(partial.keyed);
        total.unknown += partial.unknown;
        total.stats.merge(partial.stats);
    }
    let unknown = match &opts.keys {
        None => {
            write_sorted(out, total.levels.nonzero(&opts.detector), &opts.separator)
                .map_err(Error::Write)?;
            total.levels.get(opts.detector.table().unknown())
        }
        Some(_) => {
            write_sorted(out, total.keyed.iter(), &opts.separator).map_err(Error::Write)?;
            total.unknown
        }
    };
    out.flush().map_err(Error::Write)?;
    report_stats(opts.reporter, opts.max_line, &total.stats, Some(unknown));
    Ok(total.stats)
}
