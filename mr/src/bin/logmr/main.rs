//! The `logmr` binary: parses arguments and hands over to the library.

mod args;
mod levels_cmd;
mod map_cmd;
mod paths_cmd;
mod reduce_cmd;
mod report_cmd;
mod run_cmd;
mod top_cmd;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use logmr::error::{EXIT_IO, EXIT_OK, EXIT_USAGE};

use args::{Cli, Command};

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
        Command::Map(args) => map_cmd::run(args, &mut out),
        Command::Reduce(args) => reduce_cmd::run(args, &mut out),
        Command::Run(args) => run_cmd::run(args, &mut out),
        Command::Report(args) => report_cmd::run(args, &mut out),
        Command::Top(args) => top_cmd::run(args, &mut out),
        Command::Levels(args) => levels_cmd::run(args, &mut out),
        Command::Paths(args) => paths_cmd::run(args, &mut out),
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
