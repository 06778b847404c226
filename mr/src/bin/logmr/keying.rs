//! How lines are keyed, for `logmr map` and `logmr run`: the arguments
//! and the detector and key maker they make.

use std::num::NonZeroUsize;

use clap::Args;
use logmr::civil::current_year;
use logmr::keys::{KeyMaker, KeySpec};
use logmr::level::{Detector, LevelTable, Mode};
use logmr::{Error, Result};

#[derive(Debug, Args)]
pub struct KeyArgs {
    /// Group by these key parts, joined with `|`: level, minute, hour, day,
    /// source, template (e.g. `level,hour` or `level,template`).
    #[arg(long, value_name = "PARTS", default_value = "level", value_parser = key_spec)]
    pub by: KeySpec,

    /// The year of timestamps that have none (syslog, logcat), for time keys:
    /// four digits, 1000 to 9999 [default: the current year].
    #[arg(long, value_name = "YYYY", value_parser = year)]
    pub year: Option<u16>,

    /// The level is whitespace-separated field N (1-based: 1 is the first
    /// field) instead of being detected; brackets and punctuation around it
    /// are ignored.
    #[arg(long, value_name = "N", value_parser = field)]
    pub field: Option<NonZeroUsize>,

    /// Replace the level words: a comma-separated list of WORD or WORD=KEY
    /// (e.g. `audit,sec=SECURITY`); WORD alone is counted under WORD upper-cased.
    #[arg(long, value_name = "LIST")]
    pub levels: Option<String>,
}

/// A year of four digits: `24` is refused rather than taken as the year 24.
fn year(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(year) if text.len() == 4 && year >= 1000 => Ok(year),
        _ => Err(format!(
            "expected a year of four digits, 1000 to 9999 (such as 2024), got {text:?}"
        )),
    }
}

/// A field number counted from 1.
fn field(text: &str) -> Result<NonZeroUsize, String> {
    match text.parse::<usize>() {
        Ok(n) => NonZeroUsize::new(n).ok_or_else(|| {
            "fields are counted from 1 (the first field is 1), so 0 names none".to_string()
        }),
        Err(_) => Err(format!("expected a field number, 1 or more, got {text:?}")),
    }
}

fn key_spec(text: &str) -> Result<KeySpec, String> {
    KeySpec::parse(text).map_err(|e| e.to_string())
}

impl KeyArgs {
    /// The detector and the group-by keys that `--field`, `--levels`, `--by`
    /// and `--year` ask for (no key maker for the level alone).
    pub fn keying(self) -> Result<(Detector, Option<KeyMaker>)> {
        let table = level_table(self.levels.as_deref())?;
        let mode = self.field.map_or(Mode::Auto, Mode::Field);
        let keys = (!self.by.is_level_only())
            .then(|| KeyMaker::new(self.by, self.year.unwrap_or_else(current_year)));
        Ok((Detector::new(table, mode), keys))
    }
}

/// The built-in table, or the one a `--levels` list describes.
pub fn level_table(spec: Option<&str>) -> Result<LevelTable> {
    match spec {
        None => Ok(LevelTable::builtin()),
        Some(spec) => {
            LevelTable::from_spec(spec).map_err(|e| Error::Usage(format!("--levels: {e}")))
        }
    }
}
