//! `logmr top`: the keys with the largest totals.

use std::io::Write;

use clap::Args;
use logmr::Result;
use logmr::command::top::{self, TopOptions};
use logmr::error::{EXIT_DATA, EXIT_IO, EXIT_OK, EXIT_USAGE};
use logmr::streaming::ENV_REDUCE_OUTPUT_SEPARATOR;

use crate::cmd::reduce::summing;
use crate::help::with_exit_codes;
use crate::read::{FormatArg, ReadArgs, Separator, resolve_separator, separator};

const HELP: &str = "\
Input is read like `logmr reduce` reads it, and summed per key first, so
unsorted map output and several part files work too. Ties are broken by key
in byte order. Output is KEY<SEP>TOTAL, like reduce output.

Examples:
  logmr map --by level,template app.log | logmr top -n 20
  hadoop fs -cat /user/kafka/logs_by_template/part-* | grep '^ERROR|' | logmr top -n 10";

pub fn help() -> String {
    with_exit_codes(HELP, &[EXIT_OK, EXIT_IO, EXIT_USAGE, EXIT_DATA])
}

#[derive(Debug, Args)]
pub struct TopArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// How many keys to print.
    #[arg(short, default_value_t = 10)]
    pub n: usize,

    /// A malformed input line is an error (exit code 3), not a warning.
    #[arg(long)]
    pub strict: bool,

    /// Separator between key and count, on input and output [default: TAB,
    /// or the job's stream.reduce.output.field.separator, taken literally].
    #[arg(short, long, value_name = "SEP", value_parser = separator)]
    pub separator: Option<Separator>,

    /// How the keys are written: tsv (KEY<SEP>TOTAL), csv (a header, a
    /// column per key part, then count) or json (an object per key on each
    /// line, its parts named as the keys show them).
    #[arg(long, value_enum, default_value_t = FormatArg::Tsv)]
    pub format: FormatArg,
}

pub fn run(args: TopArgs, out: &mut dyn Write) -> Result<()> {
    let separator = resolve_separator(args.separator, ENV_REDUCE_OUTPUT_SEPARATOR)?;
    let opts = TopOptions {
        input: summing(args.read.options(), separator, args.strict),
        n: args.n,
        format: args.format.into(),
    };
    top::run(&opts, out).map(|_| ())
}
