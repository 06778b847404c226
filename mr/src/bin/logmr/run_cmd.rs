//! `logmr run` arguments into library options.

use std::io::Write;

use logmr::Result;
use logmr::command::run::{self, RunOptions};

use crate::args::RunArgs;
use crate::map_cmd::keying;

pub fn run(args: RunArgs, out: &mut dyn Write) -> Result<()> {
    let (detector, keys) = keying(args.keys)?;
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    let reporter = args.common.reporter();
    let opts = RunOptions {
        inputs: args.common.files,
        detector,
        keys,
        separator: args.separator.0,
        jobs,
        chunk: args.chunk_size,
        memory: args.memory,
        reporter,
        quiet: args.common.quiet,
        max_line: args.common.max_line,
    };
    run::run(&opts, out).map(|_| ())
}
