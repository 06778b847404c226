//! What the ingest binaries share as processes: stopping cleanly on SIGINT
//! or SIGTERM, and turning a result into an exit code.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::error::{Error, Result};

/// A flag set by the first SIGINT or SIGTERM; a second one exits at once
/// with code 130.
pub fn stop_on_signals() -> Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(signal, 130, Arc::clone(&stop))
            .and_then(|_| signal_hook::flag::register(signal, Arc::clone(&stop)))
            .map_err(|e| Error::io("cannot install signal handlers", e))?;
    }
    Ok(stop)
}

/// The exit code of a run; errors are reported on stderr as `NAME: error: …`.
/// A reader closing our stdout early is success.
pub fn exit_code(name: &str, result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// Parses arguments as clap does, but with the documented exit codes:
/// 0 for `--help` and `--version`, 2 for bad arguments.
pub fn parse_args<T: clap::Parser>() -> Result<T, ExitCode> {
    T::try_parse().map_err(|e| {
        let code = if e.use_stderr() {
            crate::error::EXIT_USAGE
        } else {
            crate::error::EXIT_OK
        };
        let _ = e.print();
        ExitCode::from(code as u8)
    })
}
