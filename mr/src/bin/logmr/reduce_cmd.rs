//! `logmr reduce` arguments into library options.

use std::io::Write;

use logmr::Result;
use logmr::command::reduce::{self, ReduceOptions};
use logmr::input::Input;

use crate::args::ReduceArgs;

pub fn run(args: ReduceArgs, out: &mut dyn Write) -> Result<()> {
    let opts = ReduceOptions {
        inputs: Input::from_args(&args.common.files),
        input_separator: args.input_separator.0,
        output_separator: args.output_separator.0,
        strict: args.strict,
        reporter: args.common.reporter(),
        quiet: args.common.quiet,
        max_line: args.common.max_line,
    };
    reduce::run(&opts, out).map(|_| ())
}
