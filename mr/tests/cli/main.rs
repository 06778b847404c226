//! Runs the built `logmr` binary, one module per command or concern:
//! table-driven cases read from tests/cases, the Hadoop Streaming contract
//! (separators, counters, exit codes), and properties that feed the real
//! binary random data.

mod docs;
mod inputs;
mod keys;
mod map;
mod reduce;
mod report;
mod run;
mod streaming;
mod templates;
mod top;
mod util;
