//! `logmr reduce`: sum KEY<TAB>COUNT lines per key, as combiner and reducer.

use std::io::Write;

use clap::Args;
use logmr::Result;
use logmr::command::ReadOptions;
use logmr::command::reduce::{self, ReduceOptions};
use logmr::error::{EXIT_DATA, EXIT_IO, EXIT_OK, EXIT_USAGE};
use logmr::streaming::{ENV_REDUCE_INPUT_SEPARATOR, ENV_REDUCE_OUTPUT_SEPARATOR};

use crate::help::with_exit_codes;
use crate::read::{ReadArgs, Separator, resolve_separator, separator};

const HELP: &str = "\
Input lines are KEY<SEP>COUNT; each is split at its last separator, so keys
may contain the separator. Input need not be sorted. Totals are u64 and
checked. Output is KEY<SEP>TOTAL sorted by key in byte order.

With --sorted, equal keys must be adjacent (Hadoop sorts a combiner's and a
reducer's input; the job descriptors pass it): totals are written as each
key ends, in input order, and memory stays constant whatever the number of
keys. Without it, every key is held until the end.

Inputs are files, directories and globs as `logmr run` reads them; gzip files
are inflated. Standard input is read as it is.

A malformed line (no separator, a count that is not a non-negative integer,
a total that would overflow) is reported on stderr with its line number,
counted, and skipped; with --strict it is an error (exit code 3). Input whose
every line is malformed is an error too (exit code 3): it means a wrong
separator, and writing nothing would hide it.

Under Hadoop, counters reduce_lines and reduce_malformed_lines are written
to stderr; run as the combiner inside a map task, combine_lines and
combine_malformed_lines instead (combiner runs during a reduce task's merge
count as reduce_*). Separators set as job settings (-D
stream.reduce.input.field.separator=...) are used literally, as Hadoop does:
escapes such as \\t apply only to the command-line flags.";

pub fn help() -> String {
    with_exit_codes(HELP, &[EXIT_OK, EXIT_IO, EXIT_USAGE, EXIT_DATA])
}

#[derive(Debug, Args)]
pub struct ReduceArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// A malformed input line is an error (exit code 3), not a warning.
    #[arg(long)]
    pub strict: bool,

    /// Equal keys are adjacent in the input, as Hadoop sorts a combiner's and
    /// a reducer's input: each key's total is written as the next key
    /// starts, in constant memory, in input order.
    #[arg(long)]
    pub sorted: bool,

    /// Separator between key and count on input [default: TAB, or under
    /// Hadoop the job's stream.reduce.input.field.separator, taken literally].
    #[arg(long, value_name = "SEP", value_parser = separator)]
    pub input_separator: Option<Separator>,

    /// Separator between key and total on output [default: TAB, or under
    /// Hadoop the job's stream.reduce.output.field.separator, taken literally].
    #[arg(long, value_name = "SEP", value_parser = separator)]
    pub output_separator: Option<Separator>,
}

/// How the commands that read reduce output (`top`, `report`) read and sum
/// it: one separator on input and output, keys in any order.
pub fn summing(read: ReadOptions, separator: Vec<u8>, strict: bool) -> ReduceOptions {
    ReduceOptions {
        read,
        input_separator: separator.clone(),
        output_separator: separator,
        strict,
        sorted: false,
    }
}

pub fn run(args: ReduceArgs, out: &mut dyn Write) -> Result<()> {
    let opts = ReduceOptions {
        read: args.read.options(),
        input_separator: resolve_separator(args.input_separator, ENV_REDUCE_INPUT_SEPARATOR)?,
        output_separator: resolve_separator(args.output_separator, ENV_REDUCE_OUTPUT_SEPARATOR)?,
        strict: args.strict,
        sorted: args.sorted,
    };
    reduce::run(&opts, out).map(|_| ())
}
