//! `logmr reduce` arguments into library options.

use std::io::Write;

use logmr::Result;
use logmr::command::reduce::{self, ReduceOptions};
use logmr::input::Input;

use crate::args::{Common, ReduceArgs, Separator};

/// Reading and summing options for the commands that read reduce output
/// (`top`, `report`): one separator on input and output.
pub fn summing(common: Common, separator: Separator, strict: bool) -> ReduceOptions {
    let reporter = common.reporter();
    ReduceOptions {
        inputs: Input::from_args(&common.files),
        input_separator: separator.0.clone(),
        output_separator: separator.0,
        strict,
        reporter,
        quiet: common.quiet,
        max_line: common.max_line,
    }
}

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
