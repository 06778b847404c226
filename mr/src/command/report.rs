//! `logmr report`: reduce output as a terminal table with bars, and as an
//! SVG chart or an HTML page.

use std::io::Write;
use std::path::{Path, PathBuf};

use ahash::AHashSet;

use crate::error::{Error, Result};
use crate::keys::names::{infer, per};
use crate::output::{Format, RowWriter};
use crate::report::{Row, by_count, html, svg, table, timeline};

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
    /// The chart's title; by default what the keys are counted per
    /// (`Log lines per level and hour`).
    pub title: Option<String>,
    /// The table on stdout: bars for people (`None`), or rows for machines.
    pub format: Option<Format>,
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
    if totals.is_empty() {
        super::warn(format_args!(
            "the input holds no counts, so there is nothing to draw{}",
            if opts.svg.is_some() || opts.html.is_some() {
                "; no chart was written"
            } else {
                ""
            }
        ));
        return Ok(());
    }
    let names = infer(totals.iter().map(|(key, _)| key.as_slice()));
    let rows: Vec<Row> = totals.iter().map(|(k, n)| Row::new(k, *n)).collect();
    let title = match &opts.title {
        Some(title) => title.clone(),
        None => format!("Log lines per {}", per(&names)),
    };
    if opts.svg.is_some() || opts.html.is_some() {
        let timeline = timeline(&rows, &names);
        if let Some(t) = &timeline {
            let untimed = crate::report::total(t.untimed.iter().copied());
            if untimed > 0 {
                super::warn(format_args!(
                    "{untimed} line(s) have no time (time part -) and are left out of the chart"
                ));
            }
        }
        let chart = svg::chart(&rows, &names, timeline.as_ref(), &title);
        if let Some(path) = &opts.svg {
            write_file(path, &chart)?;
        }
        if let Some(path) = &opts.html {
            let page = html::page(&rows, &names, timeline.is_some(), &title, &chart);
            write_file(path, &page)?;
        }
    }
    match opts.format {
        None => table::write(&rows, opts.width, out).map_err(Error::Write)?,
        Some(format) => {
            let total = crate::report::total(rows.iter().map(|r| r.count)).max(1) as f64;
            let mut writer =
                RowWriter::new(format, &names, &opts.input.output_separator).with_share("share");
            for row in by_count(&rows) {
                let share = 100.0 * row.count as f64 / total;
                writer
                    .write(out, row.key.as_bytes(), row.count, Some(share))
                    .map_err(Error::Write)?;
            }
        }
    }
    out.flush().map_err(Error::Write)
}
