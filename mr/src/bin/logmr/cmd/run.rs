//! `logmr run`: the whole map, combine and reduce job on all cores.

use std::io::Write;

use clap::Args;
use logmr::Result;
use logmr::command::run::{self, RunOptions};
use logmr::error::{EXIT_IO, EXIT_OK, EXIT_USAGE};
use logmr::keys::KeySpec;
use logmr::keys::names::of_spec;
use logmr::output::{Format, Formatted, RowWriter};
use logmr::units::parse_size;

use crate::help::with_exit_codes;
use crate::keying::KeyArgs;
use crate::read::{FormatArg, ReadArgs, Separator, separator, table_size};

const HELP: &str = "\
Inputs are read as `logmr map` reads them (see its help). A gzip or UTF-16
input, a FIFO and standard input are one map task each; other files are cut
into tasks of --chunk-size bytes that end at line ends, and the worker
threads take tasks in turn. The output is sorted by key, exactly what
`logmr map FILES | LC_ALL=C sort | logmr reduce` prints; with a template
part in --by, what `logmr templates` then learns from that table (each
template part becomes a template id and the learned template).

Examples:
  logmr run /var/log/app/                       # counts per level
  logmr run --by level,hour 'logs/*.log.gz'     # per level and hour
  logmr run --by level,template app.log         # per level and learned template
  logmr run --emit-each --by template app.log   # each line's learned template, in order";

pub fn help() -> String {
    with_exit_codes(HELP, &[EXIT_OK, EXIT_IO, EXIT_USAGE])
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    #[command(flatten)]
    pub keys: KeyArgs,

    /// Worker threads [default: the number of cores].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Size of a map task's chunk of a plain file (K, M and G suffixes).
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = parse_size)]
    pub chunk_size: u64,

    /// The most memory the --by key tables of all threads may take together
    /// (at least 1M; K, M and G suffixes); past it, they are written as sorted runs to
    /// temporary files (in $TMPDIR) and merged at the end.
    #[arg(long, value_name = "BYTES", default_value = "256M", value_parser = table_size)]
    pub memory: usize,

    /// With a template part in --by: learn the templates from the inputs,
    /// then read them again and print KEY<SEP>1 for every line in input
    /// order, its template part the learned template's id and text (as map
    /// --emit-each --templates does with a learned table). Files and
    /// directories only, since they are read twice.
    #[arg(long)]
    pub emit_each: bool,

    /// Separator between key and total on output, for --format tsv.
    #[arg(short, long, value_name = "SEP", default_value = "\t", hide_default_value = true,
          value_parser = separator)]
    pub separator: Separator,

    /// How the counts are written: tsv (KEY<SEP>COUNT, what Hadoop writes),
    /// csv (a header, a column per key part, then count) or json (an object
    /// per key on each line, its parts named).
    #[arg(long, value_enum, default_value_t = FormatArg::Tsv)]
    pub format: FormatArg,
}

pub fn run(args: RunArgs, out: &mut dyn Write) -> Result<()> {
    let (detector, keys) = args.keys.keying()?;
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    let format = Format::from(args.format);
    let mut opts = RunOptions {
        read: args.read.options(),
        detector,
        keys,
        separator: args.separator.0,
        jobs,
        chunk: args.chunk_size,
        memory: args.memory,
    };
    if format == Format::Tsv {
        return counts(&opts, args.emit_each, out);
    }
    let names = match &opts.keys {
        Some(keys) => of_spec(keys.spec(), keys.spec().template_part().is_some()),
        None => of_spec(&KeySpec::default(), false),
    };
    let rows = RowWriter::new(format, &names, b"\t");
    opts.separator = b"\t".to_vec();
    let mut formatted = Formatted::new(out, rows);
    counts(&opts, args.emit_each, &mut formatted)?;
    formatted.flush().map_err(logmr::Error::Write)
}

fn counts(opts: &RunOptions, emit_each: bool, out: &mut dyn Write) -> Result<()> {
    if emit_each {
        return run::each_line(opts, out).map(|_| ());
    }
    run::run(opts, out).map(|_| ())
}
