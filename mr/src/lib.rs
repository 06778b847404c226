//! logmr: zero-copy, byte-level map and reduce kernels for counting log
//! lines per level under Hadoop Streaming, or locally in a shell pipeline.
//!
//! * [`layout`] tells where a line's parts are (JSON, syslog, logcat,
//!   BlueGene/L, logfmt, or a plain header of stamps and ids) and finds its
//!   timestamp; `tokens` tells what a token is (a number, an address, an
//!   id); [`civil`] is calendar time.
//! * [`level`] finds the level of a line.
//! * [`keys`] builds the group-by keys of `logmr map --by` from what the
//!   layout places: time buckets, sources and message templates; [`learn`]
//!   learns templates from the table of masked ones.
//! * [`linebuf`] hands out whole lines from large reused blocks, read on a
//!   second thread when a task reads ahead.
//! * [`map`] and [`reduce`] are the kernels; [`command`] wraps them into the
//!   `logmr` commands.
//! * `input` expands arguments into inputs and tells what their bytes
//!   hold; `tasks` cuts inputs into tasks (both internal to the commands).
//! * [`laws`] are the kernels' laws as checks, run by the property tests
//!   and the fuzz targets.
//! * [`streaming`] is the Hadoop Streaming side: separators from the
//!   environment, counters and status on stderr; [`jobpaths`] resolves a
//!   job's paths as Hadoop does, for the job scripts' guard.
//! * [`units`] reads and writes sizes, counts and digits, and [`progress`]
//!   draws the progress line; the ingest tools use both.

pub mod bytescan;
pub mod civil;
pub mod command;
pub mod error;
pub(crate) mod input;
pub mod jobpaths;
pub mod keys;
pub mod laws;
pub mod layout;
pub mod learn;
pub mod level;
pub mod linebuf;
pub mod map;
pub mod output;
pub mod progress;
pub(crate) mod recent;
pub mod reduce;
pub(crate) mod report;
pub(crate) mod runs;
pub mod streaming;
pub(crate) mod tasks;
pub(crate) mod tokens;
pub mod units;

pub use error::{Error, Result};
pub use keys::{KeyMaker, KeySpec};
pub use layout::{Layout, Line};
pub use level::{Detector, LevelTable, Mode};

#[cfg(test)]
mod properties;
