//! `logmr top` arguments into library options.

use std::io::Write;

use logmr::Result;
use logmr::command::top::{self, TopOptions};

use crate::args::{REDUCE_OUTPUT, TopArgs, resolve_separator};
use crate::reduce_cmd::summing;

pub fn run(args: TopArgs, out: &mut dyn Write) -> Result<()> {
    let opts = TopOptions {
        input: summing(
            args.common,
            resolve_separator(args.separator, REDUCE_OUTPUT)?,
            args.strict,
        ),
        n: args.n,
    };
    top::run(&opts, out).map(|_| ())
}
