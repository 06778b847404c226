//! `logmr report`: counts as a table with bars, an SVG chart or an HTML page.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use logmr::Result;
use logmr::command::report::{self, ReportOptions};
use logmr::error::{EXIT_DATA, EXIT_IO, EXIT_OK, EXIT_USAGE};
use logmr::streaming::ENV_REDUCE_OUTPUT_SEPARATOR;

use crate::cmd::reduce::summing;
use crate::help::with_exit_codes;
use crate::read::{FormatArg, ReadArgs, Separator, resolve_separator, separator};

/// The `--format` of the report's table.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReportFormat {
    /// Keys with their share and a bar, for reading.
    Table,
    Tsv,
    Csv,
    Json,
}

const HELP: &str = "\
Input is read and summed per key like `logmr reduce` reads it. The table on
stdout lists the keys largest first, each with its share and a bar. With
--svg or --html, a self-contained chart is written too: when every key has a
time part (minute, hour or day, as from `logmr map --by level,hour`), stacked
columns of each level per time bucket, with empty buckets shown; otherwise
horizontal bars of the largest keys (the 30 largest, said so when there are
more). The chart is chosen from the parts of all the keys, not from the first
one; lines counted under time `-` are left out of the chart, and how many is
said on stderr and under the chart. The title says what the keys count lines
per (level, hour, source, template), as the parts show it. Empty input has
nothing to draw: it is said on stderr, and no chart is written.

With --new-since OLD, both tables are learned templates (keys …|ID|TEMPLATE):
only the keys whose template id does not occur in OLD are shown, which is what
is new today against yesterday's table.

Examples:
  logmr run --by level,hour logs/ | logmr report --html levels.html
  logmr run --by level,template today/ | logmr report --new-since yesterday.tsv
  hadoop fs -cat /user/kafka/logs_by_hour/part-* | logmr report --svg levels.svg";

pub fn help() -> String {
    with_exit_codes(HELP, &[EXIT_OK, EXIT_IO, EXIT_USAGE, EXIT_DATA])
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// Write an HTML page with the chart and the table to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Write the chart as an SVG image to FILE.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,

    /// The chart's title [default: what the keys count lines per, such as
    /// "Log lines per level and hour"].
    #[arg(long)]
    pub title: Option<String>,

    /// The table on stdout: table (keys with shares and bars, for reading),
    /// or for machines tsv (KEY<SEP>COUNT<SEP>SHARE), csv (a header, a
    /// column per key part, count, share) or json (an object per key on
    /// each line, its parts named); largest first.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,

    /// Cells of the longest bar in the table (1 to 1000).
    #[arg(long, default_value_t = 40,
          value_parser = clap::builder::TypedValueParser::map(clap::value_parser!(u16).range(1..=1000), usize::from))]
    pub width: usize,

    /// Only the templates that are not in FILE, an earlier learned table
    /// (yesterday's `logmr templates` or `logmr run --by ...,template`
    /// output), compared by template id; how many are new goes to stderr.
    #[arg(long, value_name = "FILE")]
    pub new_since: Option<PathBuf>,

    /// A malformed input line is an error (exit code 3), not a warning.
    #[arg(long)]
    pub strict: bool,

    /// Separator between key and count [default: TAB, or the job's
    /// stream.reduce.output.field.separator, taken literally, as for top].
    #[arg(short, long, value_name = "SEP", value_parser = separator)]
    pub separator: Option<Separator>,
}

pub fn run(args: ReportArgs, out: &mut dyn Write) -> Result<()> {
    let separator = resolve_separator(args.separator, ENV_REDUCE_OUTPUT_SEPARATOR)?;
    let opts = ReportOptions {
        input: summing(args.read.options(), separator, args.strict),
        width: args.width,
        html: args.html,
        svg: args.svg,
        title: args.title,
        format: match args.format {
            ReportFormat::Table => None,
            ReportFormat::Tsv => Some(FormatArg::Tsv.into()),
            ReportFormat::Csv => Some(FormatArg::Csv.into()),
            ReportFormat::Json => Some(FormatArg::Json.into()),
        },
        new_since: args.new_since,
    };
    report::run(&opts, out)
}
