//! `logmr reduce` arguments into library options.

use std::io::Write;

use logmr::Result;
use logmr::command::reduce::{self, ReduceOptions};

use crate::args::{Common, REDUCE_INPUT, REDUCE_OUTPUT, ReduceArgs, resolve_separator};

/// Reading and summing options for the commands that read reduce output
/// (`top`, `report`): one separator on input and output.
pub fn summing(common: Common, separator: Vec<u8>, strict: bool) -> ReduceOptions {
    let reporter = common.reporter();
    ReduceOptions {
        inputs: common.files.clone(),
        input_separator: separator.clone(),
        output_separator: separator,
        strict,
        sorted: false,
        reporter,
        quiet: common.quiet,
        max_line: common.max_line,
    }
}

pub fn run(args: ReduceArgs, out: &mut dyn Write) -> Result<()> {
    let opts = ReduceOptions {
        inputs: args.common.files.clone(),
        input_separator: resolve_separator(args.input_separator, REDUCE_INPUT)?,
        output_separator: resolve_separator(args.output_separator, REDUCE_OUTPUT)?,
        strict: args.strict,
        sorted: args.sorted,
        reporter: args.common.reporter(),
        quiet: args.common.quiet,
        max_line: args.common.max_line,
    };
    reduce::run(&opts, out).map(|_| ())
}
