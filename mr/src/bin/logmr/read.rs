//! The arguments every command that reads input takes (files, counters,
//! progress, the longest line), its separators, and the sizes they parse:
//! turned into the library's options once, here.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use logmr::command::ReadOptions;
use logmr::linebuf::DEFAULT_MAX_LINE;
use logmr::output::Format;
use logmr::streaming::{Reporter, in_hadoop_task, parse_separator, separator_from_env};
use logmr::units::parse_size;

/// When to write Hadoop `reporter:` lines to stderr.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CountersWhen {
    /// When running as a Hadoop Streaming task (detected from its environment).
    Auto,
    Always,
    Never,
}

/// The `--format` of counts on stdout.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum FormatArg {
    /// KEY<TAB>COUNT lines, as Hadoop Streaming writes them.
    #[default]
    Tsv,
    /// CSV with a header: a column per key part (level, hour, template, ...), then count.
    Csv,
    /// JSON Lines: an object per key with its parts named, then "count".
    Json,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Format {
        match arg {
            FormatArg::Tsv => Format::Tsv,
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
        }
    }
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Input files; none or `-` means standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write Hadoop counters and status lines to stderr.
    #[arg(long, value_enum, default_value_t = CountersWhen::Auto)]
    pub counters: CountersWhen,

    /// No progress line on a terminal.
    #[arg(short, long)]
    pub quiet: bool,

    /// Longest line, in bytes, that is read whole; longer lines are still
    /// counted, by their first BYTES bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_LINE, value_parser = positive_bytes)]
    pub max_line: usize,
}

impl ReadArgs {
    pub fn options(self) -> ReadOptions {
        ReadOptions {
            reporter: Reporter::new(match self.counters {
                CountersWhen::Auto => in_hadoop_task(),
                CountersWhen::Always => true,
                CountersWhen::Never => false,
            }),
            inputs: self.files,
            quiet: self.quiet,
            max_line: self.max_line,
        }
    }
}

fn positive_bytes(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("expected a positive number of bytes, got {text:?}")),
    }
}

/// A memory bound: a size of at least 1 MiB.
pub fn table_size(text: &str) -> Result<usize, String> {
    match parse_size(text).map(usize::try_from) {
        Ok(Ok(n)) if n >= 1 << 20 => Ok(n),
        Ok(Ok(n)) => Err(format!(
            "expected a size of at least 1M (1048576 bytes), got {text:?} ({n} bytes)"
        )),
        Ok(Err(_)) => Err(format!("{text:?} is too large for this machine")),
        Err(e) => Err(e),
    }
}

/// A key/count separator given on the command line, its escapes applied.
#[derive(Debug, Clone)]
pub struct Separator(pub Vec<u8>);

pub fn separator(text: &str) -> Result<Separator, String> {
    parse_separator(text).map(Separator)
}

/// The separator to use: the flag when given (its escapes applied), else
/// the job setting in the environment `variable` (literal, as Hadoop uses
/// it), else TAB.
pub fn resolve_separator(flag: Option<Separator>, variable: &str) -> logmr::Result<Vec<u8>> {
    if let Some(Separator(bytes)) = flag {
        return Ok(bytes);
    }
    match separator_from_env(variable) {
        Some(setting) => setting.map_err(logmr::Error::Usage),
        None => Ok(b"\t".to_vec()),
    }
}
