//! `logmr map`: count input lines per level key.

use std::io::Write;

use std::path::PathBuf;

use clap::Args;
use logmr::command::map::{self, MapOptions};
use logmr::command::templates::Relabel;
use logmr::error::{EXIT_IO, EXIT_OK, EXIT_USAGE};
use logmr::streaming::ENV_MAP_OUTPUT_SEPARATOR;
use logmr::{Error, Result};

use crate::help::with_exit_codes;
use crate::keying::KeyArgs;
use crate::read::{ReadArgs, Separator, resolve_separator, separator, table_size};

const HELP: &str = "\
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
<HEX>, <HOST>, <UUID>, <PATH>, <BLK>, <*>): a pre-template, from which
`logmr templates` learns the templates after the job (logmr run does both).
A `|` inside a part becomes `/`, a TAB a space. Every line is still counted
once.

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
such as \\t apply only to --separator. Hadoop splits each output line at the
first separator, so one that could occur inside a key is refused (exit 2): it
needs a byte the keys never hold. Level keys hold letters, time parts digits,
-, T and :, templates and sources every byte but TAB, CR and LF; | joins parts.";

pub fn help() -> String {
    with_exit_codes(HELP, &[EXIT_OK, EXIT_IO, EXIT_USAGE])
}

#[derive(Debug, Args)]
pub struct MapArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// Print KEY<SEP>1 for every line, like the original Python mapper,
    /// instead of one aggregated count per key.
    #[arg(long)]
    pub emit_each: bool,

    /// With --emit-each and a template part in --by, put each line under the
    /// learned templates in FILE (`logmr templates` or `logmr run` output for
    /// the same --by): its template part becomes the id and the learned
    /// template that matches it, or its own when none does.
    #[arg(long, value_name = "FILE", requires = "emit_each")]
    pub templates: Option<PathBuf>,

    #[command(flatten)]
    pub keys: KeyArgs,

    /// Separator between key and count on output [default: TAB, or under
    /// Hadoop the job's stream.map.output.field.separator, taken literally].
    #[arg(short, long, value_name = "SEP", value_parser = separator)]
    pub separator: Option<Separator>,

    /// The most memory the --by key table may take (at least 1M; K, M and G suffixes);
    /// past it, its counts are written out and it starts empty, so keys
    /// repeat in the output (the reducer sums them).
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = table_size)]
    pub memory: usize,
}

pub fn run(args: MapArgs, out: &mut dyn Write) -> Result<()> {
    let separator = resolve_separator(args.separator, ENV_MAP_OUTPUT_SEPARATOR)?;
    let (detector, keys) = args.keys.keying()?;
    let templates = match &args.templates {
        None => None,
        Some(path) => {
            let part = keys
                .as_ref()
                .and_then(|k| k.spec().template_part())
                .ok_or_else(|| Error::Usage("--templates needs a template part in --by".into()))?;
            Some(Relabel::read(path, &separator, part)?)
        }
    };
    let opts = MapOptions {
        read: args.read.options(),
        detector,
        keys,
        separator,
        emit_each: args.emit_each,
        templates,
        memory: args.memory,
    };
    map::run(&opts, out).map(|_| ())
}
