//! `logmr reduce`: sum `KEY<SEP>COUNT` lines per key. Serves as combiner
//! and reducer alike.

use std::io::Write;

use crate::error::{Error, Result};
use crate::input::Input;
use crate::linebuf::{Chunk, DEFAULT_READ_SIZE, LineBuffer, for_each_line};
use crate::output::write_count;
use crate::progress::Progress;
use crate::reduce::{Groups, Malformed, Totals, parse_line};
use crate::streaming::in_map_task;

use super::{MAX_REPORTED_LINES, ReadOptions, excerpt, warn};

/// Options of `logmr reduce`.
#[derive(Debug, Clone)]
pub struct ReduceOptions {
    /// Where the input is and how it is read.
    pub read: ReadOptions,
    /// Between key and count on input; lines split at the last one.
    pub input_separator: Vec<u8>,
    /// Between key and total on output.
    pub output_separator: Vec<u8>,
    /// A malformed line is an error instead of a warning.
    pub strict: bool,
    /// Equal keys are adjacent (Hadoop sorts a reducer's and a combiner's
    /// input): each key's total is written when the next key starts, in
    /// constant memory.
    pub sorted: bool,
}

/// What a reduce pass saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReduceStats {
    pub lines: u64,
    pub malformed: u64,
    pub keys: u64,
}

struct Rejects<'a> {
    opts: &'a ReduceOptions,
    count: u64,
    /// Malformed lines without a separator.
    no_separator: u64,
    /// A line was well formed: warnings are written as they come.
    good_seen: bool,
    /// The warnings of the malformed lines before the first good one, held
    /// back: when no line is good, one error says what the input is instead
    /// (raw log lines, most often).
    held: Vec<String>,
    /// Where the first malformed line is, and its excerpt.
    first: Option<String>,
}

impl Rejects<'_> {
    /// Reports a malformed line, or fails under `--strict`.
    /// Unsorted input to `--sorted` always fails: skipping the line would
    /// lose its count.
    fn reject(&mut self, input: &Input, line_no: u64, why: Malformed, line: &[u8]) -> Result<()> {
        if self.opts.strict || why == Malformed::Unsorted {
            return Err(Error::Malformed {
                input: input.to_string(),
                line: line_no,
                reason: format!("{why}: {}", excerpt(line)),
            });
        }
        self.count += 1;
        if why == Malformed::NoSeparator {
            self.no_separator += 1;
        }
        if self.first.is_none() {
            self.first = Some(format!("{input}:{line_no}: {}", excerpt(line)));
        }
        if self.count <= MAX_REPORTED_LINES {
            let warning = format!("{input}:{line_no}: skipped, {why}: {}", excerpt(line));
            if self.good_seen {
                warn(format_args!("{warning}"));
            } else {
                self.held.push(warning);
            }
        }
        Ok(())
    }

    /// A well-formed line: the warnings held back are written.
    #[inline]
    fn good(&mut self) {
        if !self.good_seen {
            self.good_seen = true;
            for warning in self.held.drain(..) {
                warn(format_args!("{warning}"));
            }
        }
    }

    /// The error when no line of `lines` was well formed: what the command
    /// reads, and what counts log lines.
    fn none_good(&self, name: &str, lines: u64) -> Error {
        let sep = String::from_utf8_lossy(&self.opts.input_separator);
        let form = match sep.as_ref() {
            "\t" => "KEY<TAB>COUNT".to_string(),
            sep => format!("KEY{sep}COUNT"),
        };
        let mut reason = format!(
            "none of the {lines} line(s) is a {form} line (the first: {}); {name} reads \
             counts such as logmr map writes, not log lines: to count log lines, run \
             `logmr run FILE...` or `logmr map FILE... | {name}`",
            self.first.as_deref().unwrap_or("")
        );
        if self.no_separator < self.count || sep != "\t" {
            reason.push_str(&format!(
                "; if these are counts, is the separator {sep:?} the one the map side wrote?"
            ));
        }
        Error::Malformed {
            input: "the input".into(),
            line: lines,
            reason,
        }
    }
}

/// Runs `logmr reduce`, writing to `out`. Output is complete only on `Ok`.
pub fn run(opts: &ReduceOptions, out: &mut dyn Write) -> Result<ReduceStats> {
    if opts.sorted {
        let mut groups = Groups::new(out, &opts.output_separator);
        let sep = opts.input_separator.as_slice();
        let mut stats = read(opts, "logmr reduce", |line| {
            Ok(match parse_line(line, sep) {
                Ok((key, count)) => groups.add(key, count).map_err(Error::Write)?,
                Err(why) => Err(why),
            })
        })?;
        stats.keys = groups.finish().map_err(Error::Write)?;
        out.flush().map_err(Error::Write)?;
        return Ok(stats);
    }
    let (totals, stats) = sum(opts, "logmr reduce")?;
    for (key, total) in &totals {
        write_count(out, key, &opts.output_separator, *total).map_err(Error::Write)?;
    }
    out.flush().map_err(Error::Write)?;
    Ok(stats)
}

/// `(key, total)` pairs.
pub type KeyTotals = Vec<(Vec<u8>, u64)>;

/// Reads every input and sums its lines per key: the totals sorted by key.
/// Malformed lines are reported (or fail under `--strict`) and counted.
pub fn sum(opts: &ReduceOptions, name: &'static str) -> Result<(KeyTotals, ReduceStats)> {
    let mut totals = Totals::new();
    let sep = opts.input_separator.as_slice();
    let mut stats = read(opts, name, |line| Ok(totals.add_line(line, sep)))?;
    let totals = totals.into_sorted();
    stats.keys = totals.len() as u64;
    Ok((totals, stats))
}

/// Reads every input line by line through `add`, which takes a
/// `KEY<SEP>COUNT` line or says why it is malformed. Malformed lines are
/// reported (or fail under `--strict`) and counted; the counters are
/// written at the end.
pub(super) fn read(
    opts: &ReduceOptions,
    name: &'static str,
    mut add: impl FnMut(&[u8]) -> Result<std::result::Result<(), Malformed>>,
) -> Result<ReduceStats> {
    let tasks = super::inputs(&opts.read.inputs)?;
    let mut rejects = Rejects {
        opts,
        count: 0,
        no_separator: 0,
        good_seen: false,
        held: Vec::new(),
        first: None,
    };
    let mut buf = LineBuffer::new(DEFAULT_READ_SIZE, opts.read.max_line);
    let mut progress = Progress::new(
        name,
        opts.read.reporter,
        opts.read.quiet,
        super::total_size(&tasks),
    );
    let mut stats = ReduceStats::default();
    let mut bytes_before = 0;

    for task in &tasks {
        let input = &task.input;
        let mut rdr = task.open()?;
        buf.reset();
        let mut line_no = 0u64;
        while let Some(chunk) = buf.next_chunk(&mut rdr).map_err(|e| input.read_error(e))? {
            match chunk {
                Chunk::Lines(lines) => for_each_line(lines, |line| {
                    line_no += 1;
                    match add(line)? {
                        Ok(()) => {
                            rejects.good();
                            Ok(())
                        }
                        Err(why) => rejects.reject(input, line_no, why, line),
                    }
                })?,
                Chunk::LongLine(head) => {
                    line_no += 1;
                    rejects.reject(input, line_no, Malformed::TooLong, head)?;
                }
            }
            progress.update(bytes_before + buf.bytes_read(), stats.lines + line_no);
        }
        bytes_before += buf.bytes_read();
        stats.lines += line_no;
    }
    progress.done(bytes_before, stats.lines);

    stats.malformed = rejects.count;
    // In a map task, `logmr reduce` is the combiner: its counters are kept
    // apart from the reducer's so that job totals do not mix the two.
    let prefix = if in_map_task() { "combine" } else { "reduce" };
    opts.read
        .reporter
        .counter(&format!("{prefix}_lines"), stats.lines);
    opts.read
        .reporter
        .counter(&format!("{prefix}_malformed_lines"), stats.malformed);
    if stats.lines > 0 && stats.malformed == stats.lines {
        return Err(rejects.none_good(name, stats.lines));
    }
    if stats.malformed > MAX_REPORTED_LINES {
        warn(format_args!(
            "skipped {} malformed line(s) in all; the first {MAX_REPORTED_LINES} are shown above",
            stats.malformed
        ));
    }
    Ok(stats)
}
