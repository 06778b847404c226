//! The `logmr` binary: parses arguments and hands over to the library.
//! Each command is one file in `cmd/` (its help, arguments and `run`);
//! what several share is in `read` (inputs, separators, sizes), `keying`
//! (`--by` and the level options) and `help` (the exit codes).

mod cmd;
mod help;
mod keying;
mod read;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use logmr::error::{EXIT_DATA, EXIT_IO, EXIT_OK, EXIT_USAGE};

const USAGE_HELP: &str = "\
Hadoop Streaming:
  hadoop jar hadoop-streaming-*.jar -files logmr \\
      -mapper 'logmr map' -combiner 'logmr reduce --sorted' \\
      -reducer 'logmr reduce --sorted' \\
      -input /user/kafka/logs -output /user/kafka/logs_out
Locally:
  cat logs | logmr map | LC_ALL=C sort | logmr reduce

Output appears only at the end of a successful run (except `map --emit-each`);
after a failure, stdout is incomplete and the exit code is not 0.";

fn after_help() -> String {
    help::with_exit_codes(USAGE_HELP, &[EXIT_OK, EXIT_IO, EXIT_USAGE, EXIT_DATA])
}

/// Count log lines per level: map and reduce kernels for Hadoop Streaming.
#[derive(Debug, Parser)]
#[command(name = "logmr", version, after_long_help = after_help())]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Count input lines per level key and print KEY<TAB>COUNT, sorted by key.
    #[command(after_long_help = cmd::map::help())]
    Map(cmd::map::MapArgs),
    /// Sum KEY<TAB>COUNT lines per key; its own output is valid input, so it is
    /// both the combiner and the reducer.
    #[command(after_long_help = cmd::reduce::help())]
    Reduce(cmd::reduce::ReduceArgs),
    /// Run the whole map, combine and reduce job over files on all cores;
    /// the output is what map | sort | reduce prints.
    #[command(after_long_help = cmd::run::help())]
    Run(cmd::run::RunArgs),
    /// Learn templates from a KEY<TAB>COUNT table keyed by template (such as
    /// `map --by level,template` reduced): ids and learned variables.
    #[command(after_long_help = cmd::templates::help())]
    Templates(cmd::templates::TemplatesArgs),
    /// Print the N keys with the largest totals in KEY<TAB>COUNT input (such
    /// as reduce output), largest first.
    #[command(after_long_help = cmd::top::help())]
    Top(cmd::top::TopArgs),
    /// Show KEY<TAB>COUNT input as a table with bars, and as an SVG chart or
    /// an HTML page (levels over time for `map --by level,hour` output).
    #[command(after_long_help = cmd::report::help())]
    Report(cmd::report::ReportArgs),
    /// Print the level words and the key each is counted under.
    Levels(cmd::levels::LevelsArgs),
    /// Resolve a Hadoop job's paths as Hadoop does, and check that its
    /// output can never be one of its inputs (the job scripts run this).
    #[command(after_long_help = cmd::paths::help())]
    Paths(cmd::paths::PathsArgs),
    /// Print shell completions (bash, zsh, fish, powershell, elvish), or
    /// write man pages into a directory.
    #[command(after_long_help = cmd::generate::help())]
    Generate(cmd::generate::GenerateArgs),
}

/// Whether standard output was closed when the process started
/// (`logmr map f >&-`). The standard library reopens a closed stdout on
/// /dev/null before `main`, so the output would be lost with exit 0; this
/// looks first, from the ELF constructors that run before the runtime.
#[cfg(target_os = "linux")]
mod closed_stdout {
    use std::os::fd::BorrowedFd;
    use std::sync::atomic::{AtomicBool, Ordering};

    static CLOSED: AtomicBool = AtomicBool::new(false);

    extern "C" fn look() {
        // SAFETY: fd 1 is only duplicated (F_DUPFD_CLOEXEC), never used;
        // an invalid one makes the call fail with EBADF.
        let stdout = unsafe { BorrowedFd::borrow_raw(1) };
        CLOSED.store(stdout.try_clone_to_owned().is_err(), Ordering::Relaxed);
    }

    #[used]
    #[unsafe(link_section = ".init_array")]
    static LOOK: extern "C" fn() = look;

    pub fn at_start() -> bool {
        CLOSED.load(Ordering::Relaxed)
    }
}

#[cfg(not(target_os = "linux"))]
mod closed_stdout {
    pub fn at_start() -> bool {
        false
    }
}

fn main() -> ExitCode {
    if closed_stdout::at_start() {
        let _ = writeln!(
            io::stderr(),
            "logmr: error: standard output is closed, so the output would be lost"
        );
        return ExitCode::from(EXIT_IO as u8);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            // Help and version go to stdout, which may be full.
            if let Err(failed) = e.print() {
                let _ = writeln!(io::stderr(), "logmr: error: cannot write: {failed}");
                return ExitCode::from(EXIT_IO as u8);
            }
            return ExitCode::from(code as u8);
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let result = match cli.command {
        Command::Map(args) => cmd::map::run(args, &mut out),
        Command::Reduce(args) => cmd::reduce::run(args, &mut out),
        Command::Run(args) => cmd::run::run(args, &mut out),
        Command::Report(args) => cmd::report::run(args, &mut out),
        Command::Top(args) => cmd::top::run(args, &mut out),
        Command::Templates(args) => cmd::templates::run(args, &mut out),
        Command::Levels(args) => cmd::levels::run(args, &mut out),
        Command::Paths(args) => cmd::paths::run(args, &mut out),
        Command::Generate(args) => cmd::generate::run(args, Cli::command(), &mut out),
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
