//! `logmr levels`: print the level table.

use std::io::Write;

use clap::Args;
use logmr::level::UNKNOWN_KEY;
use logmr::{Error, Result};

use crate::keying::level_table;

#[derive(Debug, Args)]
pub struct LevelsArgs {
    /// Show this list of words (as for `logmr map --levels`) instead of the
    /// built-in table.
    #[arg(long, value_name = "LIST")]
    pub levels: Option<String>,
}

pub fn run(args: LevelsArgs, out: &mut dyn Write) -> Result<()> {
    let table = level_table(args.levels.as_deref())?;
    let mut text = String::new();
    for (word, key) in table.words() {
        text.push_str(&format!("{word}\t{}\n", String::from_utf8_lossy(key)));
    }
    text.push_str(&format!("(no level)\t{UNKNOWN_KEY}\n"));
    out.write_all(text.as_bytes()).map_err(Error::Write)?;
    out.flush().map_err(Error::Write)
}
