//! The `logmr` commands, as library functions: options in, output written,
//! statistics or an [`Error`](crate::Error) out. The binary only parses
//! arguments into these options.

pub mod map;
pub mod reduce;
pub mod report;
pub mod run;
pub mod top;

use std::io::{self, Write};

use bstr::BStr;

/// How many malformed lines are described one by one on stderr before only
/// the total is given.
pub const MAX_REPORTED_LINES: u64 = 10;

/// Writes a warning to stderr.
pub(crate) fn warn(args: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "logmr: warning: {args}");
}

/// A line shown in a message: escaped, and cut to a readable length.
pub(crate) fn excerpt(line: &[u8]) -> String {
    const MAX: usize = 120;
    if line.len() <= MAX {
        format!("{:?}", BStr::new(line))
    } else {
        format!("{:?}… ({} bytes)", BStr::new(&line[..MAX]), line.len())
    }
}
