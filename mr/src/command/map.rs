//! `logmr map`: count lines per level key.

use std::io::{Read, Write};

use crate::error::{Error, Result};
use crate::input::Input;
use crate::keys::{KeyMaker, KeySpec, check_separator};
use crate::level::Detector;
use crate::linebuf::{DEFAULT_READ_SIZE, LineBuffer};
use crate::map::{Counter, MapStats, Spill, map_input, map_lines};
use crate::output::write_count;
use crate::progress::Progress;
use crate::streaming::{Reporter, in_hadoop_task};
use crate::tasks::Task;
use crate::units::human_bytes;

use super::ReadOptions;
use super::templates::Relabel;

/// Options of `logmr map`.
#[derive(Debug, Clone)]
pub struct MapOptions {
    /// Where the input is and how it is read.
    pub read: ReadOptions,
    pub detector: Detector,
    /// Group-by keys other than the level alone (`--by`); `None` counts per
    /// level on the fast path.
    pub keys: Option<KeyMaker>,
    /// Between key and count on output.
    pub separator: Vec<u8>,
    /// Print `KEY<SEP>1` per line instead of aggregated counts.
    pub emit_each: bool,
    /// With `emit_each`, each key's template part put under these learned
    /// templates.
    pub templates: Option<Relabel>,
    /// The most memory the `--by` key table may take before its counts are
    /// written out and it is emptied.
    pub memory: usize,
}

/// Runs `logmr map`, writing to `out`. Output is complete only on `Ok`.
/// A separator that could occur inside a key is refused first
/// ([`check_separator`]): Hadoop would cut keys at it.
pub fn run(opts: &MapOptions, out: &mut dyn Write) -> Result<MapStats> {
    let level_only = KeySpec::default();
    let spec = opts.keys.as_ref().map_or(&level_only, KeyMaker::spec);
    check_separator(spec, opts.detector.table(), &opts.separator).map_err(|e| Error::Usage(e.0))?;
    let tasks = super::plan(&opts.read.inputs, u64::MAX)?;
    if opts.emit_each {
        return emit_each(opts, &tasks, out);
    }
    let mut counter = Counter::new(&opts.detector, opts.keys.as_ref());
    let mut spill = Spill::new(opts.memory, out, &opts.separator);
    let stats = map_all(opts, &tasks, |input, rdr, buf, on_block| {
        counter.count(input, rdr, buf, on_block, Some(&mut spill))
    })?;
    let spills = spill.times;
    counter.write(out, &opts.separator).map_err(Error::Write)?;
    out.flush().map_err(Error::Write)?;
    if spills > 0 {
        opts.read.reporter.counter("map_spills", spills);
        if !in_hadoop_task() {
            super::warn(format_args!(
                "the key table passed {} and was written out {spills} time(s) before the \
                 end: keys repeat in the output; logmr reduce sums them",
                human_bytes(opts.memory as u64)
            ));
        }
    }
    report_stats(
        opts.read.reporter,
        opts.read.max_line,
        &stats,
        Some(counter.unknown()),
    );
    Ok(stats)
}

/// `--emit-each`: `KEY<SEP>1` for every line, in input order.
fn emit_each(opts: &MapOptions, tasks: &[Task], out: &mut dyn Write) -> Result<MapStats> {
    let detector = &opts.detector;
    let stats = match &opts.keys {
        None => {
            let per_line: Vec<Vec<u8>> = (0..detector.table().key_count())
                .map(|id| [detector.table().key(id), &opts.separator, b"1\n"].concat())
                .collect();
            map_all(opts, tasks, |input, rdr, buf, on_block| {
                map_input(
                    input,
                    rdr,
                    buf,
                    detector,
                    |k| out.write_all(&per_line[k]).map_err(Error::Write),
                    on_block,
                )
            })?
        }
        Some(maker) => {
            let mut key = Vec::with_capacity(256);
            let mut templates = opts.templates.clone();
            map_all(opts, tasks, |input, rdr, buf, on_block| {
                map_lines(
                    input,
                    rdr,
                    buf,
                    |line| {
                        maker.write_key(detector, line, &mut key);
                        if let Some(templates) = &mut templates {
                            templates.apply(&mut key);
                        }
                        write_count(out, &key, &opts.separator, 1).map_err(Error::Write)
                    },
                    on_block,
                )
            })?
        }
    };
    out.flush().map_err(Error::Write)?;
    report_stats(opts.read.reporter, opts.read.max_line, &stats, None);
    Ok(stats)
}

/// Maps every task in turn through one buffer, with one progress line:
/// `map_one(input, reader, buffer, on_block)` maps one task.
fn map_all(
    opts: &MapOptions,
    tasks: &[Task],
    mut map_one: impl FnMut(
        &Input,
        &mut (dyn Read + Send),
        &mut LineBuffer,
        &mut dyn FnMut(u64, u64),
    ) -> Result<MapStats>,
) -> Result<MapStats> {
    let mut progress = Progress::new(
        "logmr map",
        opts.read.reporter,
        opts.read.quiet,
        super::total_size(tasks),
    );
    let mut buf = LineBuffer::new(DEFAULT_READ_SIZE, opts.read.max_line);
    let mut stats = MapStats::default();
    for task in tasks {
        let (done_bytes, done_lines) = (stats.bytes, stats.lines);
        let mut on_block = |bytes, lines| progress.update(done_bytes + bytes, done_lines + lines);
        stats.merge(super::map_task(task, &mut buf, |input, rdr, buf| {
            map_one(input, rdr, buf, &mut on_block)
        })?);
    }
    progress.done(stats.bytes, stats.lines);
    Ok(stats)
}

/// Writes a map pass's counters, and warns about lines cut at `max_line`.
pub(crate) fn report_stats(r: Reporter, max_line: usize, stats: &MapStats, unknown: Option<u64>) {
    r.counter("map_lines", stats.lines);
    r.counter("map_bytes", stats.bytes);
    if let Some(unknown) = unknown {
        r.counter("map_unknown_level_lines", unknown);
    }
    r.counter("map_long_lines", stats.long_lines);
    if stats.long_lines > 0 {
        super::warn(format_args!(
            "{} line(s) longer than {} were counted by the level in their first {1}",
            stats.long_lines,
            human_bytes(max_line as u64)
        ));
    }
}
