//! The `logmr` binary: parses arguments and hands over to the library.

mod args;
mod levels_cmd;
mod map_cmd;
mod reduce_cmd;
mod report_cmd;
mod run_cmd;
mod top_cmd;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use logmr::error::{EXIT_OK, EXIT_USAGE};

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let result = match cli.command {
        Command::Map(args) => map_cmd::run(args, &mut out),
        Command::Reduce(args) => reduce_cmd::run(args, &mut out),
        Command::Run(args) => run_cmd::run(args, &mut out),
        Command::Report(args) => report_cmd::run(args, &mut out),
        Command::Top(args) => top_cmd::run(args, &mut out),
        Command::Levels(args) => levels_cmd::run(args, &mut out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            // Whatever was buffered is incomplete; the exit code says so.
            let _ = writeln!(io::stderr(), "logmr: error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
