//! `logmr top`: the keys with the largest totals in `KEY<SEP>COUNT` lines,
//! such as reduce output (the commonest error templates, the busiest hours).

use std::io::Write;

use crate::error::{Error, Result};
use crate::keys::names::infer;
use crate::output::{Format, RowWriter};

use super::reduce::{ReduceOptions, ReduceStats, sum};

/// Options of `logmr top`.
#[derive(Debug, Clone)]
pub struct TopOptions {
    /// How input is read and summed, as for `logmr reduce`.
    pub input: ReduceOptions,
    /// How many keys to print.
    pub n: usize,
    pub format: Format,
}

/// Runs `logmr top`: sums the input per key, then prints the `n` keys with
/// the largest totals, largest first, ties in key order.
pub fn run(opts: &TopOptions, out: &mut dyn Write) -> Result<ReduceStats> {
    let (mut totals, stats) = sum(&opts.input, "logmr top")?;
    let names = infer(totals.iter().map(|(key, _)| key.as_slice()));
    let mut rows = RowWriter::new(opts.format, &names, &opts.input.output_separator);
    let by_total =
        |a: &(Vec<u8>, u64), b: &(Vec<u8>, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0));
    if opts.n < totals.len() {
        totals.select_nth_unstable_by(opts.n, by_total);
        totals.truncate(opts.n);
    }
    totals.sort_unstable_by(by_total);
    for (key, total) in &totals {
        rows.write(out, key, *total, None).map_err(Error::Write)?;
    }
    out.flush().map_err(Error::Write)?;
    Ok(stats)
}
