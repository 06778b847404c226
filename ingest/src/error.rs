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
/// Exit code when the store and the topic disagree: the store holds
/// offsets the topic never had, overlapping files, or another writer's
/// batch. Nothing more is written until a person looks.
pub const EXIT_CONFLICT: i32 = 4;
/// Exit code when the run ended but some messages were not delivered, or
/// it stopped short of its bounds because the brokers went away.
pub const EXIT_UNDELIVERED: i32 = 3;
/// Exit code when the brokers or the NameNode refused our credentials or
/// permissions (see [`crate::refusal`]): no retry helps until they change.
pub const EXIT_DENIED: i32 = 5;

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
    /// The brokers or the NameNode refused our credentials, our
    /// certificate or our permissions; the message says what to do.
    Denied(String),
    /// A store operation failed (I/O, the NameNode); a retry may help.
    Store(String),
    /// The store holds what the commit protocol cannot accept, or another
    /// writer got there first: retrying cannot help.
    Conflict(String),
    /// Messages were produced but not all were delivered.
    Undelivered { failed: u64, first_error: String },
    /// The topic does not exist on the brokers: the cluster's state, not
    /// the command line, so exit 1 in every tool. `hint` says what to do.
    MissingTopic {
        topic: String,
        brokers: String,
        hint: &'static str,
    },
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

    /// A client that librdkafka would not create: a bad property (or one
    /// the other properties contradict) is bad usage, exit 2. The message
    /// never holds a property's value: it may be a secret.
    pub fn client(what: &str, source: KafkaError) -> Error {
        match source {
            KafkaError::ClientConfig(_, description, _, value) => {
                let description = if value.is_empty() {
                    description
                } else {
                    description.replace(&value, "(value not shown)")
                };
                Error::Usage(format!(
                    "cannot create the Kafka {what}: {description} (check -F, LOGMR_X_* and -X)"
                ))
            }
            KafkaError::ClientCreation(_) => Error::Usage(format!(
                "cannot create the Kafka {what}: {source} (check -F, LOGMR_X_* and -X)"
            )),
            source => Error::kafka(format!("cannot create the Kafka {what}"), source),
        }
    }

    /// The brokers did not answer in time: refused, when a client of this
    /// process was refused meanwhile ([`crate::refusal`]), else unreachable.
    pub fn unreachable(brokers: &str, detail: String) -> Error {
        Error::refused(brokers).unwrap_or_else(|| Error::Unreachable {
            brokers: brokers.to_string(),
            detail,
        })
    }

    /// [`Error::Denied`] when a Kafka client of this process was refused
    /// ([`crate::refusal`]).
    pub fn refused(brokers: &str) -> Option<Error> {
        crate::refusal::kafka_refusal()
            .map(|why| Error::Denied(format!("the Kafka brokers {brokers} refused us: {why}")))
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => EXIT_USAGE,
            Error::Conflict(_) => EXIT_CONFLICT,
            Error::Undelivered { .. } => EXIT_UNDELIVERED,
            Error::Denied(_) => EXIT_DENIED,
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
            Error::Store(msg) | Error::Conflict(msg) | Error::Denied(msg) => f.write_str(msg),
            Error::Unreachable { brokers, detail } => {
                write!(f, "cannot reach the Kafka brokers {brokers}: {detail}")
            }
            Error::MissingTopic {
                topic,
                brokers,
                hint,
            } => write!(f, "topic {topic} does not exist on {brokers}; {hint}"),
            Error::Undelivered {
                failed: 0,
                first_error,
            } => f.write_str(first_error),
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

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::types::RDKafkaConfRes;

    #[test]
    fn a_bad_property_is_named_and_its_value_never_shown() {
        let bad = KafkaError::ClientConfig(
            RDKafkaConfRes::RD_KAFKA_CONF_INVALID,
            "Invalid value \"s3cr3tXYZ\" for configuration property \"sasl.mechanisms\"".into(),
            "sasl.mechanisms".into(),
            "s3cr3tXYZ".into(),
        );
        let e = Error::client("producer", bad);
        assert_eq!(e.exit_code(), EXIT_USAGE);
        let text = e.to_string();
        assert!(text.contains("\"sasl.mechanisms\""), "{text}");
        assert!(!text.contains("s3cr3tXYZ"), "{text}");
        let unknown = KafkaError::ClientConfig(
            RDKafkaConfRes::RD_KAFKA_CONF_UNKNOWN,
            "No such configuration property: \"sasl.passwordd\"".into(),
            "sasl.passwordd".into(),
            "s3cr3tXYZ".into(),
        );
        let text = Error::client("consumer", unknown).to_string();
        assert!(
            text.contains("sasl.passwordd") && !text.contains("s3cr3tXYZ"),
            "{text}"
        );
    }

    #[test]
    fn a_refusal_exits_5() {
        assert_eq!(Error::Denied("no".into()).exit_code(), EXIT_DENIED);
    }
}
