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
use crate::map::KeyedCounts;
use crate::output::{write_count, write_sorted};
use crate::reduce::{Groups, Totals, parse_line};
use crate::runs::{self, RunFile};
use crate::streaming::Reporter;
use crate::units::human_bytes;

use super::ReadOptions;
use super::reduce::{KeyTotals, ReduceOptions, ReduceStats, read, sum};

/// Options of `logmr templates`.
#[derive(Debug, Clone)]
pub struct TemplatesOptions {
    /// How the table is read and summed, as for `logmr reduce`.
    pub input: ReduceOptions,
    /// Which part of a key is the template: `None` for the last.
    pub part: Option<usize>,
    /// The most memory the table may take; past it, templates are not
    /// learned ([`Learner`]).
    pub memory: usize,
}

/// Runs `logmr templates`, writing to `out`.
pub fn run(opts: &TemplatesOptions, out: &mut dyn Write) -> Result<ReduceStats> {
    let mut learner = Learner::new(opts.part, opts.memory);
    let sep = opts.input.input_separator.clone();
    let mut stats = read(&opts.input, "logmr templates", |line| {
        Ok(match parse_line(line, &sep) {
            Ok((key, count)) => {
                learner.add(key, count)?;
                Ok(())
            }
            Err(why) => Err(why),
        })
    })?;
    stats.keys = learner.finish(out, &opts.input.output_separator)?;
    out.flush().map_err(Error::Write)?;
    Ok(stats)
}

/// The learned step in bounded memory. Rows are summed per key in a table;
/// at the end the templates are learned from it ([`learn_table`]). A table
/// that passes a quarter of its memory (learning takes about three times
/// the table beside it) is not learned from: a warning says so, and each
/// masked template becomes its own template, its id from its own words,
/// written to a temporary file as sorted runs of a quarter of the memory
/// each and merged, so that memory
/// stays bounded whatever the number of keys. Whether that happens depends
/// only on the distinct keys, so it too is the same for any split.
pub struct Learner {
    part: Option<usize>,
    memory: usize,
    table: KeyedCounts,
    /// Once the table passed its bound: the runs of own-template keys.
    own: Option<(RunFile, Vec<u64>)>,
    key: Vec<u8>,
}

impl Learner {
    pub fn new(part: Option<usize>, memory: usize) -> Learner {
        Learner {
            part,
            memory,
            table: KeyedCounts::default(),
            own: None,
            key: Vec::new(),
        }
    }

    /// Adds a row of the table: a key with a pre-template part, and a count.
    pub fn add(&mut self, key: &[u8], count: u64) -> Result<()> {
        if self.own.is_none() {
            split(key, self.part)?;
            self.table.add(key, count);
            if self.table.approx_bytes() > self.memory / 4 {
                self.give_up()?;
            }
            return Ok(());
        }
        let (parts, index) = split(key, self.part)?;
        relabelled(&parts, index, &Template::own(parts[index]), &mut self.key);
        self.table.add(&self.key, count);
        if self.table.approx_bytes() > self.memory / 4 {
            self.write_run()?;
        }
        Ok(())
    }

    /// Past the bound: every row so far becomes its own template's, and so
    /// will every row after.
    fn give_up(&mut self) -> Result<()> {
        super::warn(format_args!(
            "the table of templates passed a quarter of --memory ({}), so templates are not \
             learned from it: each masked template is its own; a larger --memory learns them",
            human_bytes(self.memory as u64)
        ));
        self.own = Some((RunFile::new(0), Vec::new()));
        let table = std::mem::take(&mut self.table);
        for (key, count) in table.iter() {
            self.add(key, count)?;
        }
        Ok(())
    }

    /// Writes the own-template table as one sorted run, and empties it.
    fn write_run(&mut self) -> Result<()> {
        let (runs, ends) = self
            .own
            .as_mut()
            .expect("only own-template tables are written out");
        let mut spill = runs.spill(usize::MAX);
        spill.ends = std::mem::take(ends);
        spill.run(|out, sep| write_sorted(out, self.table.iter(), sep))?;
        *ends = std::mem::take(&mut spill.ends);
        self.table.clear();
        Ok(())
    }

    /// Writes the learned table (or the merged runs of own templates) to
    /// `out`, sorted by key; returns the number of keys written.
    pub fn finish(mut self, out: &mut dyn Write, separator: &[u8]) -> Result<u64> {
        if self.own.is_none() {
            let mut totals: KeyTotals = self.table.iter().map(|(k, n)| (k.to_vec(), n)).collect();
            totals.sort_unstable();
            let learned = learn_table(&totals, self.part)?;
            for (key, total) in &learned {
                write_count(out, key, separator, *total).map_err(Error::Write)?;
            }
            return Ok(learned.len() as u64);
        }
        self.write_run()?;
        let (mut runs, ends) = self.own.take().expect("checked above");
        let readers = runs.runs(&ends)?;
        let mut groups = Groups::new(out, separator);
        runs::merge_all(readers, "the runs of the templates table", &mut groups)?;
        // The file is removed only now that every run has been read.
        drop(runs);
        groups.finish().map_err(Error::Write)
    }
}

/// A writer of `KEY<SEP>COUNT` lines into a [`Learner`], for `logmr run`,
/// whose reduce step writes its table.
pub struct LearnerInput<'a> {
    pub learner: Learner,
    separator: &'a [u8],
    partial: Vec<u8>,
    /// The first error of the learner, which `Write` cannot carry whole.
    error: Option<Error>,
}

impl<'a> LearnerInput<'a> {
    pub fn new(learner: Learner, separator: &'a [u8]) -> LearnerInput<'a> {
        LearnerInput {
            learner,
            separator,
            partial: Vec::new(),
            error: None,
        }
    }

    fn line(&mut self, line: &[u8]) -> Result<()> {
        let (key, count) = parse_line(line, self.separator).map_err(|why| Error::Malformed {
            input: "the reduced table".into(),
            line: 0,
            reason: format!("{why}: {:?}", bstr::BStr::new(line)),
        })?;
        self.learner.add(key, count)
    }

    /// The learner, once every line was written; or the error it met.
    pub fn into_learner(self) -> Result<Learner> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.learner),
        }
    }
}

impl Write for LearnerInput<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.error.is_some() {
            return Err(std::io::Error::other("the learned step failed"));
        }
        let mut partial = std::mem::take(&mut self.partial);
        partial.extend_from_slice(buf);
        let mut start = 0;
        let mut failed = None;
        while let Some(end) = memchr::memchr(b'\n', &partial[start..]) {
            if let Err(e) = self.line(&partial[start..start + end]) {
                failed = Some(e);
                break;
            }
            start += end + 1;
        }
        partial.drain(..start);
        self.partial = partial;
        match failed {
            Some(e) => {
                self.error = Some(e);
                Err(std::io::Error::other("the learned step failed"))
            }
            None => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
        .find(|p| Template::is_id(p))
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
            template.write_id(out);
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
    /// The key being rewritten, reused from line to line.
    scratch: Vec<u8>,
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
            scratch: Vec::new(),
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
        relabelled(&parts, self.part, template, &mut self.scratch);
        std::mem::swap(key, &mut self.scratch);
    }
}
