//! One file per command: its help, its arguments, and `run`, which turns
//! them into the library's options and runs it.

pub mod generate;
pub mod levels;
pub mod map;
pub mod paths;
pub mod reduce;
pub mod report;
pub mod run;
pub mod templates;
pub mod top;
