//! `logmr map`: count lines per level key.

use std::io::{Read, Write};

use crate::error::{Error, Result};
use crate::input::Input;
use crate::keys::KeyMaker;
use crate::level::Detector;
use crate::linebuf::{DEFAULT_READ_SIZE, LineBuffer};
use crate::map::{KeyCounts, KeyedCounts, MapStats, map_input, map_lines};
use crate::output::write_count;
use crate::output::write_sorted;
use crate::progress::{Progress, human_bytes};
use crate::streaming::Reporter;

/// Options of `logmr map`.
#[derive(Debug, Clone)]
pub struct MapOptions {
    pub inputs: Vec<Input>,
    pub detector: Detector,
    /// Group-by keys other than the level alone (`--by`); `None` counts per
    /// level on the fast path.
    pub keys: Option<KeyMaker>,
    /// Between key and count on output.
    pub separator: Vec<u8>,
    /// Print `KEY<SEP>1` per line instead of aggregated counts.
    pub emit_each: bool,
    pub reporter: Reporter,
    /// No terminal progress line.
    pub quiet: bool,
    /// Longest line kept whole; longer lines are classified by their head.
    pub max_line: usize,
}

/// Runs `logmr map`, writing to `out`. Output is complete only on `Ok`.
pub fn run(opts: &MapOptions, out: &mut dyn Write) -> Result<MapStats> {
    match &opts.keys {
        Some(maker) => run_keyed(opts, maker, out),
        None => run_levels(opts, out),
    }
}

/// Maps every input in turn through one buffer, with one progress line:
/// `map_one(input, reader, buffer, on_block)` maps one input.
fn map_all(
    opts: &MapOptions,
    mut map_one: impl FnMut(
        &Input,
        &mut dyn Read,
        &mut LineBuffer,
        &mut dyn FnMut(u64, u64),
    ) -> Result<MapStats>,
) -> Result<MapStats> {
    let total_bytes = Input::total_size(&opts.inputs);
    let mut progress = Progress::new("logmr map", opts.reporter, opts.quiet, total_bytes);
    let mut buf = LineBuffer::new(DEFAULT_READ_SIZE, opts.max_line);
    let mut stats = MapStats::default();
    for input in &opts.inputs {
        let mut rdr = input.open()?;
        let (done_bytes, done_lines) = (stats.bytes, stats.lines);
        let mut on_block = |bytes, lines| progress.update(done_bytes + bytes, done_lines + lines);
        stats.merge(map_one(input, &mut rdr, &mut buf, &mut on_block)?);
    }
    progress.done(stats.bytes, stats.lines);
    Ok(stats)
}

/// `logmr map --by …`: counts per composite key.
fn run_keyed(opts: &MapOptions, maker: &KeyMaker, out: &mut dyn Write) -> Result<MapStats> {
    let detector = &opts.detector;
    let unknown_level = detector.table().unknown();
    let mut counts = KeyedCounts::default();
    let mut key = Vec::with_capacity(256);
    let mut unknown = 0;
    let stats = map_all(opts, |input, rdr, buf, on_block| {
        map_lines(
            input,
            rdr,
            buf,
            |line| {
                if maker.write_key(detector, line, &mut key) == unknown_level {
                    unknown += 1;
                }
                if opts.emit_each {
                    write_count(out, &key, &opts.separator, 1).map_err(Error::Write)
                } else {
                    counts.add(&key, 1);
                    Ok(())
                }
            },
            on_block,
        )
    })?;
    if !opts.emit_each {
        write_sorted(out, counts.iter(), &opts.separator).map_err(Error::Write)?;
    }
    out.flush().map_err(Error::Write)?;
    report(opts, &stats, Some(unknown));
    Ok(stats)
}

/// `logmr map`: counts per level, on the fast path.
fn run_levels(opts: &MapOptions, out: &mut dyn Write) -> Result<MapStats> {
    let detector = &opts.detector;
    let mut counts = KeyCounts::new(detector);
    let per_line: Vec<Vec<u8>> = (0..detector.table().key_count())
        .map(|id| [detector.table().key(id), &opts.separator, b"1\n"].concat())
        .collect();
    let stats = map_all(opts, |input, rdr, buf, on_block| {
        if opts.emit_each {
            map_input(
                input,
                rdr,
                buf,
                detector,
                |k| out.write_all(&per_line[k]).map_err(Error::Write),
                on_block,
            )
        } else {
            map_input(
                input,
                rdr,
                buf,
                detector,
                |k| {
                    counts.add(k);
                    Ok(())
                },
                on_block,
            )
        }
    })?;

    if !opts.emit_each {
        write_sorted(out, counts.nonzero(detector), &opts.separator).map_err(Error::Write)?;
    }
    out.flush().map_err(Error::Write)?;

    let unknown = if opts.emit_each {
        None
    } else {
        Some(counts.get(detector.table().unknown()))
    };
    report(opts, &stats, unknown);
    Ok(stats)
}

fn report(opts: &MapOptions, stats: &MapStats, unknown: Option<u64>) {
    report_stats(opts.reporter, opts.max_line, stats, unknown);
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
