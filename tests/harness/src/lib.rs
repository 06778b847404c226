//! The one test harness of the workspace, for the CLI tests of `mr/` and
//! the end-to-end tests of `tests/`: temporary directories, processes fed
//! on standard input, and table-driven cases read from data files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A directory under the system's temporary directory, named after its
/// label, the process and a counter, emptied on creation and removed on
/// drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("logmr-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A path inside the directory.
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `bytes` to the file `name` inside the directory.
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, bytes).expect("write a file in a temporary directory");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Makes a FIFO at `path` with mkfifo(1).
pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}

/// Runs `cmd` with `stdin` written to its standard input (from a thread,
/// so that a child that writes much before it reads cannot block), and
/// returns its output.
pub fn run_with_stdin(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the command");
    let mut pipe = child.stdin.take().expect("a stdin pipe");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for the command");
    writer.join().expect("the stdin writer");
    out
}

/// Bytes as text, invalid UTF-8 replaced.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One case of a table-driven test, as a cases file holds it: a heading
/// line `## ARGS`, the input lines, a line `--`, the expected output lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The words after `##`, split at spaces.
    pub args: Vec<String>,
    /// The input, each line ended by `\n`.
    pub input: String,
    /// The expected output, each line ended by `\n`.
    pub expected: String,
    /// Where the case starts, for messages: `FILE:LINE`.
    pub at: String,
}

/// Reads the cases of `path`. Lines before the first heading and lines
/// starting with `#` but not `##` are comments; blank lines that end a
/// part are not part of it; a case without `--` has no input, only
/// expected output.
pub fn cases(path: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut cases: Vec<(Case, bool)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(args) = line.strip_prefix("## ") {
            cases.push((
                Case {
                    args: args.split_whitespace().map(String::from).collect(),
                    input: String::new(),
                    expected: String::new(),
                    at: format!("{}:{}", path.display(), n + 1),
                },
                false,
            ));
            continue;
        }
        let Some((case, past_input)) = cases.last_mut() else {
            continue;
        };
        if line.starts_with('#') {
            continue;
        }
        if line == "--" && !*past_input {
            *past_input = true;
            continue;
        }
        let part = if *past_input {
            &mut case.expected
        } else {
            &mut case.input
        };
        part.push_str(line);
        part.push('\n');
    }
    cases
        .into_iter()
        .map(|(mut case, past_input)| {
            if !past_input {
                case.expected = std::mem::take(&mut case.input);
            }
            for part in [&mut case.input, &mut case.expected] {
                while part.ends_with("\n\n") {
                    part.pop();
                }
                if part == "\n" {
                    part.clear();
                }
            }
            case
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_are_read_as_written() {
        let dir = TempDir::new("harness");
        let path = dir.write(
            "t.cases",
            b"# a comment\n## map --by level\na [INFO] x\n# not a line\n--\nINFO\t1\n\n## levels\nx\n",
        );
        let read = cases(&path);
        assert_eq!(read.len(), 2, "{read:?}");
        assert_eq!(read[0].args, ["map", "--by", "level"]);
        assert_eq!(read[0].input, "a [INFO] x\n");
        assert_eq!(read[0].expected, "INFO\t1\n");
        assert_eq!(
            (read[1].input.as_str(), read[1].expected.as_str()),
            ("", "x\n")
        );
        assert!(read[1].at.ends_with("t.cases:8"), "{}", read[1].at);
    }

    #[test]
    fn stdin_reaches_the_command() {
        let out = run_with_stdin(&mut Command::new("cat"), b"bytes\n");
        assert_eq!(out.stdout, b"bytes\n");
    }
}
