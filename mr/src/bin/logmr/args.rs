//! Command-line arguments.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use logmr::keys::KeySpec;
use logmr::linebuf::DEFAULT_MAX_LINE;
use logmr::streaming::{
    ENV_MAP_OUTPUT_SEPARATOR, ENV_REDUCE_INPUT_SEPARATOR, ENV_REDUCE_OUTPUT_SEPARATOR, Reporter,
    in_hadoop_task, parse_separator, separator_from_env,
};

const AFTER_HELP: &str = "\
Hadoop Streaming:
  hadoop jar hadoop-streaming-*.jar -files logmr \\
      -mapper 'logmr map' -combiner 'logmr reduce --sorted' \\
      -reducer 'logmr reduce --sorted' \\
      -input /user/kafka/logs -output /user/kafka/logs_out
Locally:
  cat logs | logmr map | LC_ALL=C sort | logmr reduce

Exit codes:
  0  success (also when the reader of stdout closes it early, as `| head` does)
  1  an input could not be read or the output could not be written
  2  bad arguments or settings
  3  malformed input rejected by `logmr reduce --strict`

Output appears only at the end of a successful run (except `map --emit-each`);
after a failure, stdout is incomplete and the exit code is not 0.";

/// Count log lines per level: map and reduce kernels for Hadoop Streaming.
#[derive(Debug, Parser)]
#[command(name = "logmr", version, after_long_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Count input lines per level key and print KEY<TAB>COUNT, sorted by key.
    #[command(after_long_help = MAP_HELP)]
    Map(MapArgs),
    /// Sum KEY<TAB>COUNT lines per key; its own output is valid input, so it is
    /// both the combiner and the reducer.
    #[command(after_long_help = REDUCE_HELP)]
    Reduce(ReduceArgs),
    /// Run the whole map, combine and reduce job over files on all cores;
    /// the output is what map | sort | reduce prints.
    #[command(after_long_help = RUN_HELP)]
    Run(RunArgs),
    /// Print the N keys with the largest totals in KEY<TAB>COUNT input (such
    /// as reduce output), largest first.
    #[command(after_long_help = TOP_HELP)]
    Top(TopArgs),
    /// Show KEY<TAB>COUNT input as a table with bars, and as an SVG chart or
    /// an HTML page (levels over time for `map --by level,hour` output).
    #[command(after_long_help = REPORT_HELP)]
    Report(ReportArgs),
    /// Print the level words and the key each is counted under.
    Levels(LevelsArgs),
    /// Resolve a Hadoop job's paths as Hadoop does, and check that its
    /// output can never be one of its inputs (the job scripts run this).
    #[command(after_long_help = crate::paths_cmd::PATHS_HELP)]
    Paths(crate::paths_cmd::PathsArgs),
}

const MAP_HELP: &str = "\
Every input line is counted exactly once; lines without a level are counted
under UNKNOWN, so the counts sum to the number of input lines. LF and CRLF
line ends both work, and a last line without a newline counts. Bytes need not
be UTF-8.

Level detection (auto): a syslog <PRI>, an Android logcat priority letter, or
a JSON level key (\"level\", \"severity\", \"lvl\", ...) decides when present;
otherwise the first word-bounded, case-insensitive level word in the line
that is not part of a name joined by . or - (info.example.com)
does. See `logmr levels` for the words.

Group-by keys (--by): parts are joined with `|` into one key field, in the
order given. Time parts (minute 2024-12-10T14:33, hour 2024-12-10T14, day
2024-12-10) come from the first timestamp in a line's first 160 bytes; a line
without one gets `-`. source is the host, machine, logger or component, `-`
when there is none. template is the message after the line's header, with
numbers, hex, hosts, UUIDs, paths, block ids and other ids masked (<NUM>,
<HEX>, <HOST>, <UUID>, <PATH>, <BLK>, <*>). A `|`
inside a part becomes `/`, a TAB a space. Every line is still counted once.

Inputs are files, directories and globs with * or ? in any component (for
shells that do not expand them, such as PowerShell). A directory is read for
its regular files, recursively, except names that start with _ or . (Hadoop
skips those too); symbolic links and FIFOs inside it are passed over, as
`find -H DIR -type f` lists it, while a named link or FIFO is read. A file
reached twice (named twice, hard links) is read once. Gzip files are
inflated and UTF-16 files with a byte order mark (Windows PowerShell 5's >)
decoded, told by their first bytes, also on standard input outside Hadoop.
A file that shrinks while it is read (copytruncate) is warned about, and so
is a first line with a CR inside it (CR-only line ends are no line ends here).

With --by, the key table is written out and emptied when it passes --memory:
keys then repeat in the output, which logmr reduce sums.

Under Hadoop (a task's environment), counters are written to stderr as
reporter:counter:logmr,NAME,AMOUNT with NAME one of map_lines, map_bytes,
map_unknown_level_lines, map_long_lines, map_spills, and reporter:status: lines every few
seconds and once at the end. The job setting
stream.map.output.field.separator is used literally, as Hadoop does; escapes
such as \t apply only to --separator. Hadoop splits each output line at the
first separator, so one that could occur inside a key is refused (exit 2): it
needs a byte the keys never hold. Level keys hold letters, time parts digits,
-, T and :, templates and sources every byte but TAB, CR and LF; | joins parts.

Exit codes: 0 success (also when stdout's reader closes it early), 1 an input
could not be read or the output written, 2 bad arguments or settings.";

const REDUCE_HELP: &str = "\
Input lines are KEY<SEP>COUNT; each is split at its last separator, so keys
may contain the separator. Input need not be sorted. Totals are u64 and
checked. Output is KEY<SEP>TOTAL sorted by key in byte order.

With --sorted, equal keys must be adjacent (Hadoop sorts a combiner's and a
reducer's input; the job descriptors pass it): totals are written as each
key ends, in input order, and memory stays constant whatever the number of
keys. Without it, every key is held until the end.

Inputs are files, directories and globs as `logmr run` reads them; gzip files
are inflated. Standard input is read as it is.

A malformed line (no separator, a count that is not a non-negative integer,
a total that would overflow) is reported on stderr with its line number,
counted, and skipped; with --strict it is an error (exit code 3). Input whose
every line is malformed is an error too (exit code 3): it means a wrong
separator, and writing nothing would hide it.

Under Hadoop, counters reduce_lines and reduce_malformed_lines are written
to stderr; run as the combiner inside a map task, combine_lines and
combine_malformed_lines instead (combiner runs during a reduce task's merge
count as reduce_*). Separators set as job settings (-D
stream.reduce.input.field.separator=...) are used literally, as Hadoop does:
escapes such as \t apply only to the command-line flags.

Exit codes: 0 success (also when stdout's reader closes it early), 1 an input
could not be read or the output written, 2 bad arguments or settings, 3 a
malformed line under --strict.";

const RUN_HELP: &str = "\
Inputs are read as `logmr map` reads them (see its help). A gzip or UTF-16
input, a FIFO and standard input are one map task each; other files are cut
into tasks of --chunk-size bytes that end at line ends, and the worker
threads take tasks in turn. The output is sorted by key, exactly what
`logmr map FILES | LC_ALL=C sort | logmr reduce` prints.

Examples:
  logmr run /var/log/app/                       # counts per level
  logmr run --by level,hour 'logs/*.log.gz'     # per level and hour

Exit codes: 0 success, 1 an input could not be read or the output written,
2 bad arguments.";

const REPORT_HELP: &str = "\
Input is read and summed per key like `logmr reduce` reads it. The table on
stdout lists the keys largest first, each with its share and a bar. With
--svg or --html, a self-contained chart is written too: when every key has a
time part (minute, hour or day, as from `logmr map --by level,hour`), stacked
columns of each level per time bucket, with empty buckets shown; otherwise
horizontal bars of the largest keys. Lines counted under time `-` are left out
of the chart and said so.

Examples:
  logmr run --by level,hour logs/ | logmr report --html levels.html
  hadoop fs -cat /user/kafka/logs_by_hour/part-* | logmr report --svg levels.svg

Exit codes: 0 success, 1 an input could not be read or an output written,
2 bad arguments, 3 a malformed line under --strict.";

const TOP_HELP: &str = "\
Input is read like `logmr reduce` reads it, and summed per key first, so
unsorted map output and several part files work too. Ties are broken by key
in byte order. Output is KEY<SEP>TOTAL, like reduce output.

Examples:
  logmr map --by level,template app.log | logmr top -n 20
  hadoop fs -cat /user/kafka/logs_by_template/part-* | grep '^ERROR|' | logmr top -n 10

Exit codes: 0 success, 1 an input could not be read or the output written,
2 bad arguments, 3 a malformed line under --strict.";

/// When to write Hadoop `reporter:` lines to stderr.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CountersWhen {
    /// When running as a Hadoop Streaming task (detected from its environment).
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct Common {
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
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_LINE, value_parser = positive_size)]
    pub max_line: usize,
}

impl Common {
    pub fn reporter(&self) -> Reporter {
        Reporter::new(match self.counters {
            CountersWhen::Auto => in_hadoop_task(),
            CountersWhen::Always => true,
            CountersWhen::Never => false,
        })
    }
}

fn positive_size(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("expected a positive number of bytes, got {text:?}")),
    }
}

/// A key/count separator given on the command line or by Hadoop.
#[derive(Debug, Clone)]
pub struct Separator(pub Vec<u8>);

fn key_spec(text: &str) -> Result<KeySpec, String> {
    KeySpec::parse(text).map_err(|e| e.to_string())
}

fn separator(text: &str) -> Result<Separator, String> {
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

/// The environment variables of the separator settings.
pub const MAP_OUTPUT: &str = ENV_MAP_OUTPUT_SEPARATOR;
pub const REDUCE_INPUT: &str = ENV_REDUCE_INPUT_SEPARATOR;
pub const REDUCE_OUTPUT: &str = ENV_REDUCE_OUTPUT_SEPARATOR;

/// How lines are keyed: shared by `logmr map` and `logmr run`.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// Group by these key parts, joined with `|`: level, minute, hour, day,
    /// source, template (e.g. `level,hour` or `level,template`).
    #[arg(long, value_name = "PARTS", default_value = "level", value_parser = key_spec)]
    pub by: KeySpec,

    /// The year of timestamps that have none (syslog, logcat), for time keys
    /// [default: the current year].
    #[arg(long, value_name = "YYYY", value_parser = clap::value_parser!(u16).range(1..=9999))]
    pub year: Option<u16>,

    /// The level is whitespace-separated field N (1-based) instead of being
    /// detected; brackets and punctuation around it are ignored.
    #[arg(long, value_name = "N")]
    pub field: Option<NonZeroUsize>,

    /// Replace the level words: a comma-separated list of WORD or WORD=KEY
    /// (e.g. `audit,sec=SECURITY`); WORD alone is counted under WORD upper-cased.
    #[arg(long, value_name = "LIST")]
    pub levels: Option<String>,
}

#[derive(Debug, Args)]
pub struct MapArgs {
    #[command(flatten)]
    pub common: Common,

    /// Print KEY<SEP>1 for every line, like the original Python mapper,
    /// instead of one aggregated count per key.
    #[arg(long)]
    pub emit_each: bool,

    #[command(flatten)]
    pub keys: KeyArgs,

    /// Separator between key and count on output [default: TAB, or under
    /// Hadoop the job's stream.map.output.field.separator, taken literally].
    #[arg(short, long, value_name = "SEP", value_parser = separator)]
    pub separator: Option<Separator>,

    /// The most memory the --by key table may take (K, M and G suffixes);
    /// past it, its counts are written out and it starts empty, so keys
    /// repeat in the output (the reducer sums them).
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = table_size)]
    pub memory: usize,
}

#[derive(Debug, Args)]
pub struct ReduceArgs {
    #[command(flatten)]
    pub common: Common,

    /// A malformed input line is an error (exit code 3), not a warning.
    #[arg(long)]
    pub strict: bool,

    /// Equal keys are adjacent in the input, as Hadoop sorts a combiner's and
    /// a reducer's input: each key's total is written as the next key
    /// starts, in constant memory, in input order.
    #[arg(long)]
    pub sorted: bool,

    /// Separator between key and count on input [default: TAB, or under
    /// Hadoop the job's stream.reduce.input.field.separator, taken literally].
    #[arg(long, value_name = "SEP", value_parser = separator)]
    pub input_separator: Option<Separator>,

    /// Separator between key and total on output [default: TAB, or under
    /// Hadoop the job's stream.reduce.output.field.separator, taken literally].
    #[arg(long, value_name = "SEP", value_parser = separator)]
    pub output_separator: Option<Separator>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: Common,

    #[command(flatten)]
    pub keys: KeyArgs,

    /// Worker threads [default: the number of cores].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Size of a map task's chunk of a plain file (K, M and G suffixes).
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = byte_size)]
    pub chunk_size: u64,

    /// The most memory the --by key tables of all threads may take together
    /// (K, M and G suffixes); past it, they are written as sorted runs to
    /// temporary files (in $TMPDIR) and merged at the end.
    #[arg(long, value_name = "BYTES", default_value = "256M", value_parser = table_size)]
    pub memory: usize,

    /// Separator between key and total on output.
    #[arg(short, long, value_name = "SEP", default_value = "\t", hide_default_value = true,
          value_parser = separator)]
    pub separator: Separator,
}

/// A memory bound: a size of at least 1 MiB.
fn table_size(text: &str) -> Result<usize, String> {
    match byte_size(text).map(usize::try_from) {
        Ok(Ok(n)) if n >= 1 << 20 => Ok(n),
        Ok(_) => Err(format!("expected a size of at least 1M, got {text:?}")),
        Err(e) => Err(e),
    }
}

fn byte_size(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text.as_bytes().last() {
        Some(b'K' | b'k') => (&text[..text.len() - 1], 1 << 10),
        Some(b'M' | b'm') => (&text[..text.len() - 1], 1 << 20),
        Some(b'G' | b'g') => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    match digits.parse::<u64>().ok().and_then(|n| n.checked_mul(unit)) {
        Some(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "expected a positive size such as 64M, got {text:?}"
        )),
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub common: Common,

    /// Write an HTML page with the chart and the table to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Write the chart as an SVG image to FILE.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,

    /// The chart's title.
    #[arg(long, default_value = "Log lines per level")]
    pub title: String,

    /// Cells of the longest bar in the table (1 to 1000).
    #[arg(long, default_value_t = 40,
          value_parser = clap::builder::TypedValueParser::map(clap::value_parser!(u16).range(1..=1000), usize::from))]
    pub width: usize,

    /// A malformed input line is an error (exit code 3), not a warning.
    #[arg(long)]
    pub strict: bool,

    /// Separator between key and count [default: TAB, or the job's
    /// stream.reduce.output.field.separator, taken literally, as for top].
    #[arg(short, long, value_name = "SEP", value_parser = separator)]
    pub separator: Option<Separator>,
}

#[derive(Debug, Args)]
pub struct TopArgs {
    #[command(flatten)]
    pub common: Common,

    /// How many keys to print.
    #[arg(short, default_value_t = 10)]
    pub n: usize,

    /// A malformed input line is an error (exit code 3), not a warning.
    #[arg(long)]
    pub strict: bool,

    /// Separator between key and count, on input and output [default: TAB,
    /// or the job's stream.reduce.output.field.separator, taken literally].
    #[arg(short, long, value_name = "SEP", value_parser = separator)]
    pub separator: Option<Separator>,
}

#[derive(Debug, Args)]
pub struct LevelsArgs {
    /// Show this list of words (as for `logmr map --levels`) instead of the
    /// built-in table.
    #[arg(long, value_name = "LIST")]
    pub levels: Option<String>,
}
