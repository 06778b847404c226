//! `logmr report` arguments into library options.

use std::io::Write;

use logmr::Result;
use logmr::command::report::{self, ReportOptions};

use crate::args::{REDUCE_OUTPUT, ReportArgs, resolve_separator};
use crate::reduce_cmd::summing;

pub fn run(args: ReportArgs, out: &mut dyn Write) -> Result<()> {
    let opts = ReportOptions {
        input: summing(
            args.common,
            resolve_separator(args.separator, REDUCE_OUTPUT)?,
            args.strict,
        ),
        width: args.width,
        html: args.html,
        svg: args.svg,
        title: args.title,
    };
    report::run(&opts, out)
}
