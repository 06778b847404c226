//! `logmr levels`: print the level table.

use std::io::Write;

use logmr::level::{LevelTable, UNKNOWN_KEY};
use logmr::{Error, Result};

use crate::args::LevelsArgs;

/// The built-in table, or the one a `--levels` list describes.
pub fn table_from(spec: Option<&str>) -> Result<LevelTable> {
    match spec {
        None => Ok(LevelTable::builtin()),
        Some(spec) => {
            LevelTable::from_spec(spec).map_err(|e| Error::Usage(format!("--levels: {e}")))
        }
    }
}

pub fn run(args: LevelsArgs, out: &mut dyn Write) -> Result<()> {
    let table = table_from(args.levels.as_deref())?;
    let mut text = String::new();
    for (word, key) in table.words() {
        text.push_str(&format!("{word}\t{}\n", String::from_utf8_lossy(key)));
    }
    text.push_str(&format!("(no level)\t{UNKNOWN_KEY}\n"));
    out.write_all(text.as_bytes()).map_err(Error::Write)?;
    out.flush().map_err(Error::Write)
}
