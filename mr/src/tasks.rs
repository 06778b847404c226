//! The map tasks of `logmr run`: inputs expanded into files (directories
//! recursively, simple globs), and each plain file cut into chunks that end
//! at line ends, so every line belongs to exactly one task.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};
use crate::input::Input;

/// One map task: a whole input, or a byte range of a file that starts at a
/// line start and ends after a line end (or at the end of the file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub input: Input,
    pub range: Option<(u64, u64)>,
    /// Decompress with gzip (`.gz` files, one task each).
    pub gzip: bool,
}

impl Task {
    /// The task's bytes, decompressed when gzip.
    pub fn open(&self) -> Result<Box<dyn Read>> {
        let raw: Box<dyn Read> = match (&self.input, self.range) {
            (Input::Path(path), Some((start, end))) => {
                let mut file = File::open(path).map_err(|e| self.input.read_error(e))?;
                file.seek(SeekFrom::Start(start))
                    .map_err(|e| self.input.read_error(e))?;
                Box::new(file.take(end - start))
            }
            _ => self.input.open()?,
        };
        Ok(if self.gzip {
            Box::new(MultiGzDecoder::new(io::BufReader::with_capacity(
                256 * 1024,
                raw,
            )))
        } else {
            raw
        })
    }

    /// The bytes this task reads from its input (compressed for gzip), when
    /// known.
    pub fn size(&self) -> Option<u64> {
        match self.range {
            Some((start, end)) => Some(end - start),
            None => self.input.known_size(),
        }
    }
}

/// The bytes of a path or name, as the OS holds them: file names need not
/// be UTF-8, and a glob must match and keep them as they are.
fn bytes(name: &std::ffi::OsStr) -> &[u8] {
    name.as_encoded_bytes()
}

/// Does any component of `path` hold a `*` or `?` wildcard?
fn is_glob(path: &Path) -> bool {
    bytes(path.as_os_str())
        .iter()
        .any(|b| matches!(b, b'*' | b'?'))
}

/// The paths a glob matches, component by component, sorted; names
/// starting with `_` or `.` are skipped unless the pattern spells them.
fn glob(pattern: &Path) -> Result<Vec<PathBuf>> {
    let mut matched = vec![PathBuf::new()];
    for component in pattern.components() {
        let part = bytes(component.as_os_str());
        if !part.iter().any(|b| matches!(b, b'*' | b'?')) {
            for path in &mut matched {
                path.push(component);
            }
            continue;
        }
        let mut next = Vec::new();
        for dir in &matched {
            let listing = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir.as_path()
            };
            if !listing.is_dir() {
                continue;
            }
            for entry in read_dir_sorted(listing)? {
                let Some(name) = entry.file_name() else {
                    continue;
                };
                if matches(part, bytes(name)) && !hidden(&entry) {
                    next.push(dir.join(name));
                }
            }
        }
        matched = next;
    }
    matched.retain(|p| p.exists());
    Ok(matched)
}

/// The length of the character at `at`: one byte, or a UTF-8 sequence.
fn char_len(name: &[u8], at: usize) -> usize {
    let rest = &name[at..];
    let n = match rest[0] {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    };
    if rest.len() >= n && rest[1..n].iter().all(|b| b & 0xC0 == 0x80) {
        n
    } else {
        1
    }
}

/// `*` (any run) and `?` (any one character) against a file name, in
/// time linear in their lengths times the stars: on a mismatch only the
/// last `*` takes one more character, never every earlier one again.
fn matches(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    // The last `*` seen, and where in the name its run ends now.
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(b'?') => {
                p += 1;
                n += char_len(name, n);
            }
            Some(&c) if c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((at, end)) => {
                    let end = end + char_len(name, end);
                    star = Some((at, end));
                    p = at + 1;
                    n = end;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

/// Hadoop's input globs skip names starting with `_` or `.`.
fn hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| matches!(bytes(n).first(), Some(b'_' | b'.')))
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>> {
    let read = |e| Error::Read {
        input: dir.display().to_string(),
        source: e,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(read)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<Vec<_>>>()
        .map_err(read)?;
    entries.sort();
    Ok(entries)
}

/// Appends the files of `path`: itself, or a directory's files recursively.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if path.is_dir() {
        for entry in read_dir_sorted(path)? {
            if !hidden(&entry) {
                collect(&entry, out)?;
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// The files named by command-line inputs: files, directories (their files,
/// recursively, without names starting with `_` or `.`) and globs with `*`
/// or `?` in any component (for shells that do not expand them).
/// `-` is standard input.
pub fn expand(args: &[PathBuf]) -> Result<Vec<Input>> {
    let mut inputs = Vec::new();
    for arg in args {
        if arg == Path::new("-") {
            inputs.push(Input::Stdin);
            continue;
        }
        let mut files = Vec::new();
        if !arg.exists() && is_glob(arg) {
            for path in glob(arg)? {
                collect(&path, &mut files)?;
            }
            if files.is_empty() {
                return Err(Error::Usage(format!("{} matches no file", arg.display())));
            }
        } else {
            collect(arg, &mut files)?;
        }
        inputs.extend(files.into_iter().map(Input::Path));
    }
    Ok(inputs)
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

/// The tasks for `inputs`: a `.gz` file or stdin whole, any other file in
/// chunks of about `chunk` bytes that end at line ends.
pub fn plan(inputs: Vec<Input>, chunk: u64) -> Result<Vec<Task>> {
    let mut tasks = Vec::new();
    for input in inputs {
        let path = match &input {
            Input::Path(path) => path.clone(),
            Input::Stdin => {
                tasks.push(Task {
                    input,
                    range: None,
                    gzip: false,
                });
                continue;
            }
        };
        if path.extension().is_some_and(|e| e == "gz") {
            tasks.push(Task {
                input,
                range: None,
                gzip: true,
            });
            continue;
        }
        // Looked at without opening: opening a FIFO waits for a writer.
        // Only a regular file with a size can be cut; a FIFO, a pipe
        // (`<(cmd)`, /dev/stdin) or a file whose size reads 0 but has
        // content (/proc) is read whole, as one task.
        let meta = std::fs::metadata(&path).map_err(|e| input.read_error(e))?;
        if !meta.is_file() || meta.len() == 0 {
            tasks.push(Task {
                input,
                range: None,
                gzip: false,
            });
            continue;
        }
        let mut file = File::open(&path).map_err(|e| input.read_error(e))?;
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
                gzip: false,
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
            let tasks = plan(vec![Input::Path(path.clone())], chunk).unwrap();
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
        let tasks = plan(vec![Input::Path(path)], 10).unwrap();
        assert_eq!(tasks.len(), 1);
        assert!(read(&tasks[0]).is_empty());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn fifos_and_files_whose_size_reads_0_are_read_whole() {
        // /proc files say 0 bytes and hold text.
        let tasks = plan(vec![Input::Path("/proc/self/mountinfo".into())], 10).unwrap();
        assert_eq!(tasks.len(), 1);
        assert!(!read(&tasks[0]).is_empty());

        let fifo = std::env::temp_dir().join(format!("logmr-fifo-{}", std::process::id()));
        let _ = std::fs::remove_file(&fifo);
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::write(fifo, b"[INFO] a\n[WARN] b\n").unwrap())
        };
        // Planning must not open the FIFO: that would wait for the writer,
        // and measure nothing.
        let tasks = plan(vec![Input::Path(fifo.clone())], 10).unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(read(&tasks[0]), b"[INFO] a\n[WARN] b\n");
        writer.join().unwrap();
        std::fs::remove_file(fifo).unwrap();
    }

    #[test]
    fn globs() {
        assert!(matches(b"*.log", b"a.log"));
        assert!(matches(b"a?c*", b"abc.gz"));
        assert!(!matches(b"*.log", b"a.log.gz"));
        assert!(!matches(b"?", b""));
        assert!(matches(b"caf?.log", "café.log".as_bytes()));
        assert!(matches(b"*", b""));
        assert!(matches(b"a*b*c", b"aXbYbZc"));
        assert!(!matches(b"a*b*c", b"aXbYbZ"));
    }

    #[test]
    fn many_stars_match_in_linear_time() {
        // Exponential for a matcher that retries every earlier star: this
        // pair did not finish.
        let pattern = "a*".repeat(30) + "b";
        let name = "a".repeat(200);
        assert!(!matches(pattern.as_bytes(), name.as_bytes()));
        assert!(matches(pattern.as_bytes(), (name + "b").as_bytes()));
    }

    #[cfg(unix)]
    #[test]
    fn globs_keep_names_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let dir = std::env::temp_dir().join(format!("logmr-glob-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.log");
        std::fs::write(dir.join(name), b"[INFO] x\n").unwrap();
        std::fs::write(dir.join("_skipped.log"), b"[INFO] x\n").unwrap();
        let inputs = expand(&[dir.join("*.log")]).unwrap();
        let paths: Vec<_> = inputs
            .iter()
            .map(|i| match i {
                Input::Path(p) => p.clone(),
                Input::Stdin => PathBuf::from("-"),
            })
            .collect();
        assert_eq!(paths, [dir.join(name)]);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
