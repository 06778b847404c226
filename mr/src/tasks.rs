//! The tasks of a job: each input read whole (stdin, FIFOs, gzip, UTF-16)
//! or, for a plain regular file, cut into chunks that end at line ends, so
//! every line belongs to exactly one task. `logmr map` reads every input as
//! one task; `logmr run` cuts files into chunks for its workers.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use crate::error::Result;
use crate::input::Input;
use crate::input::decode::{self, Encoding};

/// One task: a whole input, or a byte range of a plain file that starts at
/// a line start and ends after a line end (or at the end of the file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub input: Input,
    pub range: Option<(u64, u64)>,
    /// `None`: told from the first bytes when the task is opened (stdin,
    /// FIFOs, files whose size reads 0).
    pub encoding: Option<Encoding>,
}

impl Task {
    /// The task's bytes, as text lines: inflated or decoded as its encoding
    /// asks.
    pub fn open(&self) -> Result<Box<dyn Read + Send>> {
        let raw: Box<dyn Read + Send> = match (&self.input, self.range) {
            (Input::Path(path), Some((start, end))) => {
                let mut file = File::open(path).map_err(|e| self.input.read_error(e))?;
                file.seek(SeekFrom::Start(start))
                    .map_err(|e| self.input.read_error(e))?;
                Box::new(file.take(end - start))
            }
            _ => self.input.open()?,
        };
        let (encoding, raw) = match self.encoding {
            Some(encoding) => (encoding, raw),
            None => decode::sniffed(raw).map_err(|e| self.input.read_error(e))?,
        };
        decode::decoded(encoding, raw).map_err(|e| self.input.read_error(e))
    }

    /// The bytes this task reads from its input (before inflating or
    /// decoding), when known.
    pub fn size(&self) -> Option<u64> {
        match self.range {
            Some((start, end)) => Some(end - start),
            None => self.input.known_size(),
        }
    }

    /// Is the task read on a second thread while its lines are counted? A
    /// regular file that is inflated or decoded is: its reading costs about
    /// as much CPU as its counting. A plain file is not: on the machines
    /// measured, handing its bytes to another core cost more than copying
    /// them did (bench/notes.md). Standard input and FIFOs never are.
    pub fn reads_ahead(&self) -> bool {
        matches!(
            self.encoding,
            Some(Encoding::Gzip | Encoding::Bzip2 | Encoding::Utf16 { .. })
        ) && self.size().is_some()
    }

    /// Does the task start its input (so its first line is the input's)?
    pub fn is_first(&self) -> bool {
        self.range.is_none_or(|(start, _)| start == 0)
    }

    /// How many bytes reading the task must give: the range of a plain
    /// file. Fewer means the file shrank while it was read.
    pub fn expected_bytes(&self) -> Option<u64> {
        self.range.map(|(start, end)| end - start)
    }
}

/// The offset just past the first `\n` at or after `at`, or the file's end.
fn line_start_after(file: &mut File, at: u64, len: u64) -> io::Result<u64> {
    let mut buf = [0u8; 64 * 1024];
    let mut pos = at;
    file.seek(SeekFrom::Start(at))?;
    while pos < len {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok(pos + i as u64 + 1);
        }
        pos += n as u64;
    }
    Ok(len)
}

/// The tasks for `inputs`: a plain regular file in chunks of about
/// `chunk` bytes that end at line ends (`u64::MAX`: one chunk), anything
/// else whole. Standard input is told from its first bytes only with
/// `sniff_stdin`: inside Hadoop it holds the text lines Hadoop read out
/// of the files, and counts read by `reduce` are text already.
pub fn plan(inputs: Vec<Input>, chunk: u64, sniff_stdin: bool) -> Result<Vec<Task>> {
    let chunk = chunk.max(1);
    let mut tasks = Vec::new();
    for input in inputs {
        let path = match &input {
            Input::Path(path) => path.clone(),
            Input::Stdin => {
                let encoding = (!sniff_stdin).then_some(Encoding::Text);
                tasks.push(Task {
                    input,
                    range: None,
                    encoding,
                });
                continue;
            }
        };
        // Looked at without opening: opening a FIFO waits for a writer.
        // Only a regular file with a size can be cut; a FIFO, a pipe
        // (`<(cmd)`, /dev/stdin) or a file whose size reads 0 but has
        // content (/proc) is read whole, as one task.
        let meta = std::fs::metadata(&path).map_err(|e| input.read_error(e))?;
        if !meta.is_file() || meta.len() == 0 {
            tasks.push(Task {
                input,
                range: None,
                encoding: None,
            });
            continue;
        }
        let mut file = File::open(&path).map_err(|e| input.read_error(e))?;
        let encoding =
            decode::sniff(&decode::read_head(&mut file).map_err(|e| input.read_error(e))?);
        if encoding != Encoding::Text {
            tasks.push(Task {
                input,
                range: None,
                encoding: Some(encoding),
            });
            continue;
        }
        let len = meta.len();
        let mut start = 0;
        while start < len {
            let end = if len - start > chunk {
                line_start_after(&mut file, start + chunk - 1, len)
                    .map_err(|e| input.read_error(e))?
            } else {
                len
            };
            tasks.push(Task {
                input: input.clone(),
                range: Some((start, end)),
                encoding: Some(Encoding::Text),
            });
            if end == len {
                break;
            }
            start = end;
        }
    }
    Ok(tasks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::path::PathBuf;

    fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("logmr-tasks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn read(task: &Task) -> Vec<u8> {
        let mut out = Vec::new();
        task.open().unwrap().read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn chunks_end_at_line_ends_and_cover_the_file() {
        let text = b"one\ntwo two\n\nthree three three\nfour\nfive, no newline";
        let path = scratch("chunks.log", text);
        for chunk in 1..=text.len() as u64 + 1 {
            let tasks = plan(vec![Input::Path(path.clone())], chunk, true).unwrap();
            let parts: Vec<Vec<u8>> = tasks.iter().map(read).collect();
            assert_eq!(parts.concat(), text, "chunk {chunk}");
            for part in &parts[..parts.len() - 1] {
                assert!(part.ends_with(b"\n"), "chunk {chunk}: {part:?}");
            }
            assert!(parts.iter().all(|p| !p.is_empty()), "chunk {chunk}");
        }
    }

    #[test]
    fn empty_files_are_one_empty_task() {
        let path = scratch("empty.log", b"");
        let tasks = plan(vec![Input::Path(path)], 10, true).unwrap();
        assert_eq!(tasks.len(), 1);
        assert!(read(&tasks[0]).is_empty());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn fifos_and_files_whose_size_reads_0_are_read_whole() {
        // /proc files say 0 bytes and hold text.
        let tasks = plan(vec![Input::Path("/proc/self/mountinfo".into())], 10, true).unwrap();
        assert_eq!(tasks.len(), 1);
        assert!(!read(&tasks[0]).is_empty());

        let fifo = std::env::temp_dir().join(format!("logmr-fifo-{}", std::process::id()));
        let _ = std::fs::remove_file(&fifo);
        logmr_harness::mkfifo(&fifo);
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::write(fifo, b"[INFO] a\n[WARN] b\n").unwrap())
        };
        // Planning must not open the FIFO: that would wait for the writer,
        // and measure nothing.
        let tasks = plan(vec![Input::Path(fifo.clone())], 10, true).unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(read(&tasks[0]), b"[INFO] a\n[WARN] b\n");
        writer.join().unwrap();
        std::fs::remove_file(fifo).unwrap();
    }

    #[test]
    fn encodings_are_told_from_content_not_names() {
        let text = b"[INFO] a\n[WARN] b\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text).unwrap();
        let gz = gz.finish().unwrap();
        let utf16: Vec<u8> = [0xFEFFu16]
            .into_iter()
            .chain("[INFO] a\n[WARN] b\n".encode_utf16())
            .flat_map(u16::to_le_bytes)
            .collect();
        for (name, bytes, tasks) in [
            ("gzip-named-plain.log", &gz[..], 1),
            ("windows-powershell.log", &utf16[..], 1),
            ("plain-named.gz", &text[..], 2),
        ] {
            let path = scratch(name, bytes);
            let planned = plan(vec![Input::Path(path)], 5, true).unwrap();
            assert_eq!(planned.len(), tasks, "{name}");
            let read: Vec<u8> = planned.iter().flat_map(read).collect();
            assert_eq!(read, text, "{name}");
        }
    }
}
