//! `logmr templates`: learn templates from a `--by …,template` table.

use std::io::Write;

use clap::Args;
use logmr::command::templates::{self, TemplatesOptions};
use logmr::error::{EXIT_DATA, EXIT_IO, EXIT_OK, EXIT_USAGE};
use logmr::keys::KeySpec;
use logmr::streaming::ENV_REDUCE_OUTPUT_SEPARATOR;
use logmr::{Error, Result};

use crate::cmd::reduce::summing;
use crate::help::with_exit_codes;
use crate::read::{ReadArgs, Separator, resolve_separator, separator, table_size};

const HELP: &str = "\
The step after a job keyed by template (logmr map --by level,template, summed
by logmr reduce): it reads the table of masked pre-templates and counts, learns
which further tokens are variables from the whole table, and writes the table
again with each template part replaced by two parts, the template's id and the
learned template: ERROR|4f1c2a9b07de|session opened for user <VAR> by <*>.

Learning: tokens that are only masks and punctuation ((<HOST>), [-]) are set
aside, and among templates of the same length a position is a variable (<VAR>)
where templates that agree on every other position, at least three of them
words, take four or more distinct tokens. The result depends only on the set
of distinct templates, so on the lines, not on how the input was split or how
often a combiner ran. A template is shown as its commonest pre-template; its id
is a hash of its learned words and variables, the same from one day's output to
the next's for the same event: logmr report --new-since lists what is new.

Input is read like `logmr reduce` reads it (part files, any order) and summed
per key first. The template is the last part of each key unless --by says
where it is. logmr run --by ...,template writes this table directly, and logmr
map --emit-each --templates puts single lines under a learned table.

Examples:
  hadoop fs -cat /user/kafka/logs_by_template/part-* | logmr templates > learned.tsv
  logmr map --by level,template app.log | logmr templates | logmr top -n 20";

pub fn help() -> String {
    with_exit_codes(HELP, &[EXIT_OK, EXIT_IO, EXIT_USAGE, EXIT_DATA])
}

#[derive(Debug, Args)]
pub struct TemplatesArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// The parts of the input's keys, as given to logmr map --by, to say
    /// which part is the template [default: the last part].
    #[arg(long, value_name = "PARTS", value_parser = key_spec)]
    pub by: Option<KeySpec>,

    /// The most memory the table may take (at least 1M; K, M and G suffixes). Learning
    /// holds the table and about three times as much beside it; a table
    /// past a quarter of this is not learned from (a warning says so): each
    /// masked template is then its own, sorted through temporary files.
    #[arg(long, value_name = "BYTES", default_value = "1G", value_parser = table_size)]
    pub memory: usize,

    /// A malformed input line is an error (exit code 3), not a warning.
    #[arg(long)]
    pub strict: bool,

    /// Separator between key and count, on input and output [default: TAB,
    /// or the job's stream.reduce.output.field.separator, taken literally].
    #[arg(short, long, value_name = "SEP", value_parser = separator)]
    pub separator: Option<Separator>,
}

fn key_spec(text: &str) -> std::result::Result<KeySpec, String> {
    KeySpec::parse(text).map_err(|e| e.to_string())
}

pub fn run(args: TemplatesArgs, out: &mut dyn Write) -> Result<()> {
    let separator = resolve_separator(args.separator, ENV_REDUCE_OUTPUT_SEPARATOR)?;
    let part = match &args.by {
        None => None,
        Some(spec) => Some(spec.template_part().ok_or_else(|| {
            Error::Usage(format!("--by {spec} has no template part to learn from"))
        })?),
    };
    let opts = TemplatesOptions {
        input: summing(args.read.options(), separator, args.strict),
        part,
        memory: args.memory,
    };
    templates::run(&opts, out).map(|_| ())
}
