//! `logmr report`: reduce output as a terminal table with bars, and as an
//! SVG chart or an HTML page.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::report::{Row, html, svg, table};

use super::reduce::{ReduceOptions, sum};

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

/// Runs `logmr report`: the table to `out`, the chart and page to their
/// files.
pub fn run(opts: &ReportOptions, out: &mut dyn Write) -> Result<()> {
    let (totals, _) = sum(&opts.input, "logmr report")?;
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
