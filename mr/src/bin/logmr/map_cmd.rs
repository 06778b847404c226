//! `logmr map` arguments into library options.

use std::io::Write;

use logmr::Result;
use logmr::civil::current_year;
use logmr::command::map::{self, MapOptions};
use logmr::keys::KeyMaker;
use logmr::level::{Detector, Mode};

use crate::args::{KeyArgs, MAP_OUTPUT, MapArgs, resolve_separator};
use crate::levels_cmd::table_from;

/// The detector and the group-by keys that `--field`, `--levels`, `--by`
/// and `--year` ask for.
pub fn keying(args: KeyArgs) -> Result<(Detector, Option<KeyMaker>)> {
    let table = table_from(args.levels.as_deref())?;
    let mode = args.field.map_or(Mode::Auto, Mode::Field);
    let keys = (!args.by.is_level_only())
        .then(|| KeyMaker::new(args.by, args.year.unwrap_or_else(current_year)));
    Ok((Detector::new(table, mode), keys))
}

pub fn run(args: MapArgs, out: &mut dyn Write) -> Result<()> {
    let separator = resolve_separator(args.separator, MAP_OUTPUT)?;
    let (detector, keys) = keying(args.keys)?;
    let opts = MapOptions {
        inputs: args.common.files.clone(),
        detector,
        keys,
        separator,
        emit_each: args.emit_each,
        memory: args.memory,
        reporter: args.common.reporter(),
        quiet: args.common.quiet,
        max_line: args.common.max_line,
    };
    map::run(&opts, out).map(|_| ())
}
