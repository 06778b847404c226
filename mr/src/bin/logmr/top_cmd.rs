//! `logmr top` arguments into library options.

use std::io::Write;

use logmr::Result;
use logmr::command::reduce::ReduceOptions;
use logmr::command::top::{self, TopOptions};
use logmr::input::Input;

use crate::args::TopArgs;

pub fn run(args: TopArgs, out: &mut dyn Write) -> Result<()> {
    let opts = TopOptions {
        input: ReduceOptions {
            inputs: Input::from_args(&args.common.files),
            input_separator: args.separator.0.clone(),
            output_separator: args.separator.0,
            strict: args.strict,
            reporter: args.common.reporter(),
            quiet: args.common.quiet,
            max_line: args.common.max_line,
        },
        n: args.n,
    };
    top::run(&opts, out).map(|_| ())
}
