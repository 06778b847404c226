//! `logmr templates`: the learned step after a `--by …,template` job. It
//! reads the job's table of pre-templates and counts, learns templates from
//! it ([`crate::learn`]), and writes the table again with each key's
//! template part replaced by two parts: the learned template's id and the
//! template as shown (`ERROR|4f1c…|session opened for user <VAR>`).
//! `logmr run` does the same when its keys have a template part, and
//! [`Relabel`] puts single lines under a learned set (`map --emit-each
//! --templates`).

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::keys::JOINER;
use crate::learn::{Template, Templates};
use crate::linebuf::DEFAULT_MAX_LINE;
use crate::output::write_count;
use crate::reduce::Totals;
use crate::streaming::Reporter;

use super::ReadOptions;
use super::reduce::{KeyTotals, ReduceOptions, ReduceStats, sum};

/// Options of `logmr templates`.
#[derive(Debug, Clone)]
pub struct TemplatesOptions {
    /// How the table is read and summed, as for `logmr reduce`.
    pub input: ReduceOptions,
    /// Which part of a key is the template: `None` for the last.
    pub part: Option<usize>,
}

/// Runs `logmr templates`, writing to `out`.
pub fn run(opts: &TemplatesOptions, out: &mut dyn Write) -> Result<ReduceStats> {
    let (totals, stats) = sum(&opts.input, "logmr templates")?;
    for (key, total) in learn_table(&totals, opts.part)? {
        write_count(out, &key, &opts.input.output_separator, total).map_err(Error::Write)?;
    }
    out.flush().map_err(Error::Write)?;
    Ok(stats)
}

/// The parts of `key`, and the index of its template part.
fn split(key: &[u8], part: Option<usize>) -> Result<(Vec<&[u8]>, usize)> {
    let parts: Vec<&[u8]> = key.split(|&b| b == JOINER).collect();
    let index = part.unwrap_or(parts.len() - 1);
    if index >= parts.len() {
        return Err(Error::Malformed {
            input: "the table".into(),
            line: 0,
            reason: format!(
                "the key {:?} has {} part(s), so no part {} to be the template; \
                 is --by the one the map side used?",
                bstr::BStr::new(key),
                parts.len(),
                index + 1
            ),
        });
    }
    Ok((parts, index))
}

/// The template id in a key of a learned table: its last part, but for
/// the very last, that is twelve lower-case hex digits (a learned key is
/// `…|ID|TEMPLATE…`; a template's own text is never an id, as hex numbers
/// are masked).
pub fn template_id(key: &[u8]) -> Option<&[u8]> {
    let parts: Vec<&[u8]> = key.split(|&b| b == JOINER).collect();
    parts[..parts.len() - 1]
        .iter()
        .rev()
        .find(|p| p.len() == 12 && p.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .copied()
}

/// `parts` with the one at `index` replaced by `template`'s id and shown text.
fn relabelled(parts: &[&[u8]], index: usize, template: &Template, out: &mut Vec<u8>) {
    out.clear();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push(JOINER);
        }
        if i == index {
            out.extend_from_slice(template.id().as_bytes());
            out.push(JOINER);
            out.extend_from_slice(template.shown());
        } else {
            out.extend_from_slice(p);
        }
    }
}

/// Learns templates from a summed table of pre-template keys and returns
/// the table of learned keys, summed and sorted by key.
pub fn learn_table(totals: &KeyTotals, part: Option<usize>) -> Result<KeyTotals> {
    let mut split_keys = Vec::with_capacity(totals.len());
    for (key, _) in totals {
        split_keys.push(split(key, part)?);
    }
    // One row per distinct template text, with its lines over all keys.
    let mut by_text: ahash::AHashMap<&[u8], u64> = ahash::AHashMap::new();
    for ((parts, index), (_, total)) in split_keys.iter().zip(totals) {
        *by_text.entry(parts[*index]).or_default() += total;
    }
    let mut table: Vec<(&[u8], u64)> = by_text.into_iter().collect();
    table.sort_unstable();
    let (templates, assigned) = Templates::learn(&table);
    let row_of: ahash::AHashMap<&[u8], usize> = table
        .iter()
        .enumerate()
        .map(|(i, (t, _))| (*t, i))
        .collect();
    let mut learned = Totals::new();
    let mut key = Vec::new();
    for ((parts, index), (_, total)) in split_keys.iter().zip(totals) {
        let template = templates.get(assigned[row_of[parts[*index]]]);
        relabelled(parts, *index, template, &mut key);
        learned.add(&key, *total).map_err(|why| Error::Malformed {
            input: "the table".into(),
            line: 0,
            reason: format!("{why}: {:?}", bstr::BStr::new(&key)),
        })?;
    }
    Ok(learned.into_sorted())
}

/// Puts keys with a pre-template part under a learned set of templates,
/// read from a learned table: a pre-template that no learned template
/// matches is its own template.
#[derive(Clone, Debug)]
pub struct Relabel {
    templates: Templates,
    /// The template part of the keys relabelled.
    part: usize,
}

impl Relabel {
    /// The templates of the learned table in `path` (`logmr templates` or
    /// `logmr run` output), whose KEY and COUNT are split at `separator`.
    pub fn read(path: &Path, separator: &[u8], part: usize) -> Result<Relabel> {
        let opts = ReduceOptions {
            read: ReadOptions {
                inputs: vec![path.to_path_buf()],
                reporter: Reporter::new(false),
                quiet: true,
                max_line: DEFAULT_MAX_LINE,
            },
            input_separator: separator.to_vec(),
            output_separator: separator.to_vec(),
            strict: true,
            sorted: false,
        };
        let (learned, _) = sum(&opts, "logmr map --templates")?;
        Relabel::from_table(&learned, part)
    }

    /// The templates of a learned table, whose keys hold the shown template
    /// at `part + 1` (after the id), and `part` for the keys relabelled.
    pub fn from_table(learned: &KeyTotals, part: usize) -> Result<Relabel> {
        let mut shown = Vec::with_capacity(learned.len());
        for (key, _) in learned {
            let parts: Vec<&[u8]> = key.split(|&b| b == JOINER).collect();
            match parts.get(part + 1) {
                Some(text) => shown.push(*text),
                None => {
                    return Err(Error::Malformed {
                        input: "the learned templates".into(),
                        line: 0,
                        reason: format!(
                            "the key {:?} has no template after an id at part {}: \
                             is it `logmr templates` output for the same --by?",
                            bstr::BStr::new(key),
                            part + 1
                        ),
                    });
                }
            }
        }
        Ok(Relabel {
            templates: Templates::parse(shown),
            part,
        })
    }

    /// Rewrites `key` (a key as `logmr map` writes it) in place.
    pub fn apply(&mut self, key: &mut Vec<u8>) {
        let parts: Vec<&[u8]> = key.split(|&b| b == JOINER).collect();
        let Some(&pre) = parts.get(self.part) else {
            return;
        };
        let own;
        let template = match self.templates.find_cached(pre) {
            Some(t) => self.templates.get(t),
            None => {
                own = Template::own(pre);
                &own
            }
        };
        let mut out = Vec::with_capacity(key.len() + 16);
        relabelled(&parts, self.part, template, &mut out);
        *key = out;
    }
}
