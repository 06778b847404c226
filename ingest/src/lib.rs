//! The ingest side of the logmr pipeline: a log generator that feeds
//! stdout, files or Kafka, and a sink from Kafka into a store.
//!
//! * [`cli`] holds the value parsers the binaries' arguments share, and
//!   [`properties`] the librdkafka properties from a file, the environment
//!   and `-X`; [`refusal`] tells a refusal (credentials, certificates,
//!   permissions) from an outage, for Kafka and HDFS alike.
//! * [`generator`] makes deterministic lines in the [`format`] layouts and
//!   keeps their ground truth (their timestamps through [`logmr::civil`]).
//! * [`destination`] and [`kafka`] are where lines go; [`rate`] paces them and
//!   [`stats`] reports progress. [`run`] ties a generator to a destination.
//! * [`consume`] reads a topic into a [`store`] through the exactly-once
//!   protocol of [`commit`], its positions and batches decided by the pure
//!   state machine of [`positions`], after [`probe`] has shown that the
//!   store belongs to the topic; [`inspect`] prints a topic for a look.

pub mod cli;
pub mod commit;
pub mod consume;
pub mod destination;
pub mod error;
pub mod format;
pub mod generator;
pub mod hadoop_conf;
pub mod hdfs;
pub mod inspect;
pub mod kafka;
pub mod positions;
pub mod probe;
pub mod process;
pub mod properties;
pub mod rate;
pub mod refusal;
pub mod run;
pub mod stats;
pub mod store;

pub use error::{Error, Result};
