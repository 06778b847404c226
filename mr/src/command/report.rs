//! `logmr report`: reduce output as a terminal table with bars, and as an
//! SVG chart or an HTML page.

use std::io::Write;
use std::path::{Path, PathBuf};

use ahash::AHashSet;

use crate::error::{Error, Result};
use crate::report::{Row, html, svg, table};

use super::reduce::{KeyTotals, ReduceOptions, sum};
use super::templates::template_id;

/// Options of `logmr report`.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// How input is read and summed, as for `logmr reduce`.
    pub input: ReduceOptions,
    /// Cells of the longest bar in the terminal table.
    pub width: usize,
    pub html: Option<PathBuf>,
    pub svg: Option<PathBuf>,
    pub title: String,
    /// Only the templates not in this learned table (yesterday's), read
    /// as `input` is read.
    pub new_since: Option<PathBuf>,
}

/// Writes `text` to `path` whole or not at all: into a temporary file
/// beside it, made durable, then renamed over it. A full disk leaves the
/// previous chart as it was, never a truncated one.
fn write_file(path: &Path, text: &str) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    written.map_err(|source| {
        let _ = std::fs::remove_file(&temp);
        Error::WriteFile {
            path: path.display().to_string(),
            source,
        }
    })
}

/// The rows of `totals` whose template id is in no key of the learned table
/// `old`; the number of templates that are new is said on stderr.
fn new_templates(opts: &ReportOptions, totals: KeyTotals, old: &Path) -> Result<KeyTotals> {
    let ids_of = |totals: &KeyTotals, what: &str| -> Result<AHashSet<Vec<u8>>> {
        let mut ids = AHashSet::new();
        for (key, _) in totals {
            match template_id(key) {
                Some(id) => ids.insert(id.to_vec()),
                None => {
                    return Err(Error::Usage(format!(
                        "--new-since compares learned templates, but a key of {what} holds no \
                         template id: {:?}; give it the output of logmr templates or of logmr run \
                         --by ...,template",
                        bstr::BStr::new(key)
                    )));
                }
            };
        }
        Ok(ids)
    };
    let mut read_old = opts.input.clone();
    read_old.read.inputs = vec![old.to_path_buf()];
    read_old.read.quiet = true;
    let (old_totals, _) = sum(&read_old, "logmr report --new-since")?;
    let old_ids = ids_of(&old_totals, &old.display().to_string())?;
    let ids = ids_of(&totals, "the input")?;
    let new: Vec<_> = totals
        .into_iter()
        .filter(|(key, _)| template_id(key).is_some_and(|id| !old_ids.contains(id)))
        .collect();
    let new_ids = ids.iter().filter(|id| !old_ids.contains(*id)).count();
    super::warn(format_args!(
        "{new_ids} of {} template(s) are new since {}",
        ids.len(),
        old.display()
    ));
    Ok(new)
}

/// Runs `logmr report`: the table to `out`, the chart and page to their
/// files.
pub fn run(opts: &ReportOptions, out: &mut dyn Write) -> Result<()> {
    let (mut totals, _) = sum(&opts.input, "logmr report")?;
    if let Some(old) = &opts.new_since {
        totals = new_templates(opts, totals, old)?;
    }
    let rows: Vec<Row> = totals.iter().map(|(k, n)| Row::new(k, *n)).collect();
    if let Some(path) = &opts.svg {
        write_file(path, &svg::chart(&rows, &opts.title))?;
    }
    if let Some(path) = &opts.html {
        write_file(path, &html::page(&rows, &opts.title))?;
    }
    table::write(&rows, opts.width, out).map_err(Error::Write)?;
    out.flush().map_err(Error::Write)
}
