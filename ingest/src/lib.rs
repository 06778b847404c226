//! The ingest side of the logmr pipeline: a log generator that feeds
//! stdout, files or Kafka.
//!
//! * [`generator`] makes deterministic lines in the [`format`] layouts and
//!   keeps their ground truth; [`civil`] formats their timestamps.
//! * [`sink`] and [`kafka`] are where lines go; [`rate`] paces them and
//!   [`stats`] reports progress. [`run`] ties a generator to a sink.

pub mod civil;
pub mod error;
pub mod format;
pub mod generator;
pub mod kafka;
pub mod rate;
pub mod run;
pub mod sink;
pub mod stats;

pub use error::{Error, Result};
