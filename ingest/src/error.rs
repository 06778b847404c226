//! The one error type of the `ingest` crate, and the exit codes it maps to.

use std::fmt;
use std::io;

use rdkafka::error::KafkaError;

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code for a fatal error: I/O, an unreachable broker, a bad topic.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for bad arguments or settings.
pub const EXIT_USAGE: i32 = 2;
/// Exit code when the run ended but some messages were not delivered.
pub const EXIT_UNDELIVERED: i32 = 3;

/// Everything that can stop an ingest command.
#[derive(Debug)]
pub enum Error {
    /// Bad arguments or settings.
    Usage(String),
    /// An I/O operation failed; `context` says which.
    Io { context: String, source: io::Error },
    /// A Kafka operation failed; `context` says which.
    Kafka { context: String, source: KafkaError },
    /// The brokers could not be reached in time.
    Unreachable { brokers: String, detail: String },
    /// The store holds something the commit protocol cannot accept.
    Store(String),
    /// Messages were produced but not all were delivered.
    Undelivered { failed: u64, first_error: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(context: impl Into<String>, source: io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn kafka(context: impl Into<String>, source: KafkaError) -> Error {
        Error::Kafka {
            context: context.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => EXIT_USAGE,
            Error::Undelivered { .. } => EXIT_UNDELIVERED,
            _ => EXIT_FAILURE,
        }
    }

    /// True when the reader of our stdout went away (`logmr-gen | head`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(msg) => f.write_str(msg),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Kafka { context, source } => write!(f, "{context}: {source}"),
            Error::Store(msg) => f.write_str(msg),
            Error::Unreachable { brokers, detail } => {
                write!(f, "cannot reach the Kafka brokers {brokers}: {detail}")
            }
            Error::Undelivered {
                failed,
                first_error,
            } => {
                write!(
                    f,
                    "{failed} message(s) were not delivered; first error: {first_error}"
                )
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Kafka { source, .. } => Some(source),
            _ => None,
        }
    }
}
