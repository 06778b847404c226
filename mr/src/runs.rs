//! Sorted runs of `KEY<TAB>COUNT` lines on disk, and their merge: when a
//! `logmr run --by` table passes its memory bound, it is written to a
//! temporary file as one sorted run and emptied ([`Spill`]),
//! and at the end every run is merged into one sorted output with each
//! key's total. The merge reads at most [`FAN_IN`] runs at once (in passes
//! through another run file when there are more), so memory holds a
//! bounded number of read buffers, whatever the number of keys or runs.
//!
//! A run file is made private (0600) and, on Unix, removed from its
//! directory as soon as it is opened: its runs are read through the one
//! open handle, so no file descriptor is opened per run, and nothing is
//! left in `TMPDIR` however the process ends (SIGINT, SIGTERM, a crash).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::map::Spill;
use crate::reduce::{Groups, parse_line};

/// Between key and count in a run.
pub const SEPARATOR: &[u8] = b"\t";

/// Runs merged at once at most: each holds a read buffer of
/// [`READ_BUFFER`] bytes.
pub const FAN_IN: usize = 64;

/// The read buffer of each run being merged.
const READ_BUFFER: usize = 64 * 1024;

/// A temporary file of runs, made on the first write in the system's
/// temporary directory (`TMPDIR`), private to the user, and gone from the
/// directory at once on Unix (elsewhere when dropped).
pub struct RunFile {
    path: PathBuf,
    file: Option<BufWriter<File>>,
    /// Bytes written so far: where the next run starts.
    written: u64,
}

/// One run of a [`RunFile`], read by position through the file's one
/// handle.
pub struct RunReader {
    file: Arc<File>,
    at: u64,
    end: u64,
}

impl Read for RunReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf
            .len()
            .min(usize::try_from(self.end - self.at).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = read_at(&self.file, &mut buf[..want], self.at)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the run file is shorter than was written",
            ));
        }
        self.at += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// Creates `path` for reading and writing, private to the user; on Unix it
/// is unlinked at once and lives while it is open.
fn create_private(path: &std::path::Path) -> io::Result<File> {
    let mut options = File::options();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    #[cfg(unix)]
    std::fs::remove_file(path)?;
    Ok(file)
}

impl RunFile {
    /// A run file for one worker of this process; nothing is created yet.
    pub fn new(worker: usize) -> RunFile {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        RunFile {
            path: std::env::temp_dir().join(format!(
                "logmr-run-{}-{worker}-{nanos}.keys",
                std::process::id()
            )),
            file: None,
            written: 0,
        }
    }

    pub fn path(&self) -> String {
        self.path.display().to_string()
    }

    /// A spill of tables past `bound` bytes into this file, as sorted runs.
    pub fn spill(&mut self, bound: usize) -> Spill<'_> {
        let path = self.path();
        let mut spill = Spill::new(bound, self, SEPARATOR);
        spill.file = Some(path);
        spill
    }

    /// Readers of the runs that end at `ends` (as [`Spill::ends`](crate::map::Spill)
    /// gives them), in order, empty runs left out.
    pub fn runs(&mut self, ends: &[u64]) -> Result<Vec<BufReader<RunReader>>> {
        let path = self.path();
        let Some(writer) = &mut self.file else {
            // Nothing was written: every run is empty.
            return Ok(Vec::new());
        };
        writer.flush().map_err(|source| Error::WriteFile {
            path: path.clone(),
            source,
        })?;
        let file = Arc::new(writer.get_ref().try_clone().map_err(|source| Error::Read {
            input: path.clone(),
            source,
        })?);
        let mut runs = Vec::with_capacity(ends.len());
        let mut start = 0;
        for &end in ends {
            if end > start {
                runs.push(BufReader::with_capacity(
                    READ_BUFFER,
                    RunReader {
                        file: Arc::clone(&file),
                        at: start,
                        end,
                    },
                ));
            }
            start = end;
        }
        Ok(runs)
    }
}

impl Write for RunFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let file = match &mut self.file {
            Some(file) => file,
            None => self.file.insert(BufWriter::with_capacity(
                256 * 1024,
                create_private(&self.path)?,
            )),
        };
        let n = file.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), Write::flush)
    }
}

impl Drop for RunFile {
    fn drop(&mut self) {
        if self.file.take().is_some() && cfg!(not(unix)) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// One run being merged: its reader and its current line's count.
struct Head<R> {
    reader: R,
    line: Vec<u8>,
    count: u64,
}

impl<R: BufRead> Head<R> {
    /// Reads and parses the next line: its key, or `None` at the end of
    /// the run.
    fn advance(&mut self, name: &str) -> Result<Option<Vec<u8>>> {
        self.line.clear();
        let read = self.reader.read_until(b'\n', &mut self.line);
        if read.map_err(|source| Error::Read {
            input: name.to_string(),
            source,
        })? == 0
        {
            return Ok(None);
        }
        let line = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
        let (key, count) = parse_line(line, SEPARATOR).map_err(|reason| damaged(name, reason))?;
        self.count = count;
        Ok(Some(key.to_vec()))
    }
}

/// A run that does not read back as it was written.
fn damaged(name: &str, reason: impl std::fmt::Display) -> Error {
    Error::Read {
        input: name.to_string(),
        source: io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a run of the key table does not read back: {reason}"),
        ),
    }
}

/// Merges any number of sorted runs into `out`, [`FAN_IN`] at a time: while
/// there are more, groups of them are merged into runs of a new run file.
pub fn merge_all(runs: Vec<BufReader<RunReader>>, name: &str, out: &mut Groups<'_>) -> Result<()> {
    merge_bounded(runs, FAN_IN, name, out)
}

fn merge_bounded(
    mut runs: Vec<BufReader<RunReader>>,
    fan_in: usize,
    name: &str,
    out: &mut Groups<'_>,
) -> Result<()> {
    let fan_in = fan_in.max(2);
    // A pass's runs hold its file open: it lives until they are read.
    let mut pass = 0;
    while runs.len() > fan_in {
        pass += 1;
        let mut file = RunFile::new(usize::MAX - pass);
        let path = file.path();
        let mut ends = Vec::new();
        let mut left = runs.into_iter();
        loop {
            let group: Vec<_> = left.by_ref().take(fan_in).collect();
            if group.is_empty() {
                break;
            }
            let mut groups = Groups::new(&mut file, SEPARATOR);
            merge(group, name, &mut groups)?;
            groups.finish().map_err(|source| Error::WriteFile {
                path: path.clone(),
                source,
            })?;
            ends.push(file.written);
        }
        runs = file.runs(&ends)?;
    }
    merge(runs, name, out)
}

/// Merges sorted runs into `out`: every key once, in byte order, with the
/// sum of its counts. `name` names the runs in errors.
pub fn merge<R: BufRead>(runs: Vec<R>, name: &str, out: &mut Groups<'_>) -> Result<()> {
    let mut heads = Vec::with_capacity(runs.len());
    let mut heap = BinaryHeap::with_capacity(runs.len());
    for reader in runs {
        let mut head = Head {
            reader,
            line: Vec::with_capacity(256),
            count: 0,
        };
        if let Some(key) = head.advance(name)? {
            heap.push(Reverse((key, heads.len())));
        }
        heads.push(head);
    }
    while let Some(Reverse((key, i))) = heap.pop() {
        out.add(&key, heads[i].count)
            .map_err(Error::Write)?
            .map_err(|reason| damaged(name, reason))?;
        if let Some(key) = heads[i].advance(name)? {
            heap.push(Reverse((key, i)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Sorted runs of `KEY\tCOUNT` lines, as a spill writes them.
    fn run_text(run: &BTreeMap<Vec<u8>, u64>) -> Vec<u8> {
        let mut text = Vec::new();
        for (key, n) in run {
            text.extend_from_slice(key);
            text.push(b'\t');
            text.extend_from_slice(n.to_string().as_bytes());
            text.push(b'\n');
        }
        text
    }

    proptest! {
        #[test]
        fn merging_runs_gives_each_key_once_with_its_total(
            runs in proptest::collection::vec(
                proptest::collection::btree_map(
                    proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'|'), Just(0xFFu8)], 0..4),
                    1u64..1000,
                    0..20,
                ),
                0..12,
            ),
            fan_in in 2usize..5,
        ) {
            let mut want: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
            for run in &runs {
                for (key, n) in run {
                    *want.entry(key.clone()).or_default() += n;
                }
            }
            let mut file = RunFile::new(0);
            let mut ends = Vec::new();
            let mut at = 0;
            for run in &runs {
                let text = run_text(run);
                file.write_all(&text).unwrap();
                at += text.len() as u64;
                ends.push(at);
            }
            let readers = file.runs(&ends).unwrap();
            let mut out = Vec::new();
            let mut groups = Groups::new(&mut out, b"=");
            merge_bounded(readers, fan_in, "runs", &mut groups).unwrap();
            groups.finish().unwrap();
            let mut expected = Vec::new();
            for (key, n) in &want {
                expected.extend_from_slice(key);
                expected.push(b'=');
                expected.extend_from_slice(n.to_string().as_bytes());
                expected.push(b'\n');
            }
            prop_assert_eq!(bstr::BStr::new(&out), bstr::BStr::new(&expected));
        }
    }

    #[test]
    fn the_file_is_made_on_the_first_write_and_never_left_behind() {
        let mut file = RunFile::new(7);
        let path = PathBuf::from(file.path());
        assert!(!path.exists());
        assert!(file.runs(&[0]).unwrap().is_empty());
        file.write_all(b"a\t1\n").unwrap();
        file.flush().unwrap();
        // On Unix it is gone from the directory while still open.
        assert_eq!(path.exists(), cfg!(not(unix)));
        let mut text = String::new();
        file.runs(&[4]).unwrap()[0]
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "a\t1\n");
        drop(file);
        assert!(!path.exists());
    }

    #[test]
    fn a_bad_line_in_a_run_is_an_error() {
        let runs: Vec<&[u8]> = vec![b"a\t1\n", b"b\tx\n"];
        let mut out = Vec::new();
        let mut groups = Groups::new(&mut out, b"\t");
        let err = merge(runs, "runs", &mut groups).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot read runs: a run of the key table does not read back: count is not a non-negative integer below 2^64"
        );
    }
}
