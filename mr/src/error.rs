//! The one error type of the `logmr` crate, and the exit codes it maps to.

use std::fmt;
use std::io;

/// Exit code for success, including a reader that closed our stdout early.
pub const EXIT_OK: i32 = 0;
/// Exit code for an I/O error: an input could not be read or output written.
pub const EXIT_IO: i32 = 1;
/// Exit code for bad arguments or settings.
pub const EXIT_USAGE: i32 = 2;
/// Exit code for input rejected by `--strict`.
pub const EXIT_DATA: i32 = 3;

/// What each exit code means, as the commands' help states it.
pub const EXIT_CODES: [(i32, &str); 4] = [
    (
        EXIT_OK,
        "success (also when the reader of stdout closes it early, as `| head` does)",
    ),
    (
        EXIT_IO,
        "an input could not be read or an output could not be written",
    ),
    (EXIT_USAGE, "bad arguments or settings"),
    (
        EXIT_DATA,
        "malformed input: a line rejected by --strict, or every line malformed",
    ),
];

/// Everything that can stop a `logmr` command.
#[derive(Debug)]
pub enum Error {
    /// Reading an input failed.
    Read { input: String, source: io::Error },
    /// Writing the output failed.
    Write(io::Error),
    /// Writing a named output file failed.
    WriteFile { path: String, source: io::Error },
    /// A malformed input line, rejected because of `--strict`.
    Malformed {
        input: String,
        line: u64,
        reason: String,
    },
    /// Bad arguments or settings.
    Usage(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Read { .. } | Error::Write(_) | Error::WriteFile { .. } => EXIT_IO,
            Error::Usage(_) => EXIT_USAGE,
            Error::Malformed { .. } => EXIT_DATA,
        }
    }

    /// True when our stdout was closed by its reader (`logmr map | head`),
    /// which ends a command quietly and successfully.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read { input, source } => write!(f, "cannot read {input}: {source}"),
            Error::Write(e) => write!(f, "cannot write output: {e}"),
            Error::WriteFile { path, source } => write!(f, "cannot write {path}: {source}"),
            Error::Malformed {
                input,
                line,
                reason,
            } => write!(f, "{input}:{line}: {reason}"),
            Error::Usage(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Read { source, .. } | Error::WriteFile { source, .. } => Some(source),
            Error::Write(e) => Some(e),
            _ => None,
        }
    }
}
