//! Command-line inputs into the inputs a job reads, as `find -H` lists
//! them: a named path is followed wherever it points (a symbolic link, a
//! FIFO, `/dev/stdin`, a `/proc` file), a directory is walked for its
//! regular files, recursively, and inside a directory symbolic links and
//! special files (FIFOs, sockets, devices) are passed over, so a walk
//! cannot loop and cannot block. Names starting with `_` or `.` are
//! skipped in directories, as Hadoop skips them. Every file is read once:
//! a file reached twice (named twice, hard links, a directory inside
//! another named one) counts once, and so does standard input, however
//! it is named (`-` twice, `-` and `/dev/stdin`, or `-` and the file it
//! is redirected from): a stream read by two tasks would be split between
//! them, a file read twice counted twice.

use std::fs::Metadata;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::Input;
use super::fs::{hidden, read_dir_sorted};
use super::glob::{glob, is_glob};

/// The inputs of a command, and what the walk passed over.
#[derive(Debug, Default)]
pub struct Expansion {
    /// What to read, in order: arguments in turn, directories sorted.
    pub inputs: Vec<Input>,
    /// Symbolic links met inside directories, not followed.
    pub links: u64,
    /// FIFOs, sockets and devices met inside directories, not read.
    pub special: u64,
    /// `(path, the path it was first read as)` for files reached twice;
    /// standard input is `-`.
    pub repeats: Vec<(PathBuf, PathBuf)>,
    seen: ahash::AHashMap<Identity, PathBuf>,
    stdin_read: bool,
    dirs: ahash::AHashSet<Identity>,
}

/// What makes two paths one file: device and inode.
#[cfg(unix)]
type Identity = (u64, u64);
#[cfg(not(unix))]
type Identity = PathBuf;

#[cfg(unix)]
fn identity(_: &Path, meta: &Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(path: &Path, _: &Metadata) -> Identity {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The identity of what standard input reads (a pipe, a file, a
/// terminal), when it can be looked at.
#[cfg(unix)]
fn stdin_identity() -> Option<Identity> {
    use std::os::fd::AsFd;
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let meta = std::fs::File::from(fd).metadata().ok()?;
    Some(identity(Path::new("-"), &meta))
}

#[cfg(not(unix))]
fn stdin_identity() -> Option<Identity> {
    None
}

impl Expansion {
    /// Expands command-line inputs: files, directories, globs with `*` or
    /// `?` in any component, and `-` (or nothing) for standard input.
    pub fn of(args: &[PathBuf]) -> Result<Expansion> {
        let mut found = Expansion::default();
        if args.is_empty() {
            found.stdin();
        }
        for arg in args {
            if arg == Path::new("-") {
                found.stdin();
            } else if !arg.exists() && is_glob(arg) {
                let paths = glob(arg)?;
                if paths.is_empty() {
                    return Err(Error::Usage(format!("{} matches no file", arg.display())));
                }
                for path in paths {
                    found.named(&path)?;
                }
            } else {
                found.named(arg)?;
            }
        }
        Ok(found)
    }

    /// A path given by the user (or matched by a glob): followed.
    fn named(&mut self, path: &Path) -> Result<()> {
        let meta = std::fs::metadata(path).map_err(|source| Error::Read {
            input: path.display().to_string(),
            source,
        })?;
        if meta.is_dir() {
            self.walk(path, &meta)
        } else {
            self.file(path, &meta);
            Ok(())
        }
    }

    fn walk(&mut self, dir: &Path, meta: &Metadata) -> Result<()> {
        if !self.dirs.insert(identity(dir, meta)) {
            return Ok(());
        }
        for entry in read_dir_sorted(dir)? {
            let path = entry.path();
            if hidden(&path) {
                continue;
            }
            let kind = entry.file_type().map_err(|source| Error::Read {
                input: path.display().to_string(),
                source,
            })?;
            if kind.is_symlink() {
                self.links += 1;
            } else if kind.is_dir() || kind.is_file() {
                let meta = entry.metadata().map_err(|source| Error::Read {
                    input: path.display().to_string(),
                    source,
                })?;
                if kind.is_dir() {
                    self.walk(&path, &meta)?;
                } else {
                    self.file(&path, &meta);
                }
            } else {
                self.special += 1;
            }
        }
        Ok(())
    }

    /// Standard input, named by `-`: once, and not when the file or pipe
    /// it reads was named already.
    fn stdin(&mut self) {
        let dash = PathBuf::from("-");
        if self.stdin_read {
            self.repeats.push((dash.clone(), dash));
            return;
        }
        self.stdin_read = true;
        match stdin_identity() {
            Some(id) => match self.seen.entry(id) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    self.repeats.push((dash, first.get().clone()));
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(dash);
                    self.inputs.push(Input::Stdin);
                }
            },
            None => self.inputs.push(Input::Stdin),
        }
    }

    fn file(&mut self, path: &Path, meta: &Metadata) {
        match self.seen.entry(identity(path, meta)) {
            std::collections::hash_map::Entry::Occupied(first) => {
                self.repeats.push((path.to_path_buf(), first.get().clone()));
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(path.to_path_buf());
                self.inputs.push(Input::Path(path.to_path_buf()));
            }
        }
    }

    /// What a user should be told about the walk, one line each.
    pub fn notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = self
            .repeats
            .iter()
            .map(|(path, first)| {
                let name = |p: &PathBuf| {
                    if p == Path::new("-") {
                        "standard input (-)".to_string()
                    } else {
                        p.display().to_string()
                    }
                };
                format!(
                    "{} is the same file as {}; it is read once",
                    name(path),
                    name(first)
                )
            })
            .collect();
        if self.links > 0 || self.special > 0 {
            notes.push(format!(
                "passed over {} symbolic link(s) and {} FIFO(s), socket(s) or device(s) \
                 inside directories; name one to read it",
                self.links, self.special
            ));
        }
        notes
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("logmr-expand-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn paths(found: &Expansion) -> Vec<PathBuf> {
        found
            .inputs
            .iter()
            .map(|i| match i {
                Input::Path(p) => p.clone(),
                Input::Stdin => PathBuf::from("-"),
            })
            .collect()
    }

    #[test]
    fn symlink_loops_in_a_directory_end_at_once() {
        // Two loops made a walk that follows links go 2^40 paths deep.
        let dir = scratch("loops");
        std::fs::write(dir.join("a.log"), b"[INFO] a\n").unwrap();
        symlink(".", dir.join("x")).unwrap();
        symlink(".", dir.join("y")).unwrap();
        let found = Expansion::of(std::slice::from_ref(&dir)).unwrap();
        assert_eq!(paths(&found), [dir.join("a.log")]);
        assert_eq!(found.links, 2);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_file_reached_by_several_paths_is_read_once() {
        let dir = scratch("once");
        std::fs::create_dir_all(dir.join("2024-12-10")).unwrap();
        std::fs::write(dir.join("2024-12-10/a.log"), b"[INFO] a\n").unwrap();
        symlink("2024-12-10", dir.join("latest")).unwrap();
        symlink("2024-12-10/a.log", dir.join("current.log")).unwrap();
        std::fs::hard_link(dir.join("2024-12-10/a.log"), dir.join("b.log")).unwrap();
        let args = [dir.clone(), dir.join("latest"), dir.join("current.log")];
        let found = Expansion::of(&args).unwrap();
        assert_eq!(paths(&found), [dir.join("2024-12-10/a.log")]);
        assert_eq!(found.repeats.len(), 2, "{:?}", found.repeats);
        assert_eq!(found.links, 2);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn fifos_inside_directories_are_passed_over_and_named_ones_kept() {
        let dir = scratch("fifo");
        std::fs::write(dir.join("a.log"), b"[INFO] a\n").unwrap();
        let fifo = dir.join("pipe");
        logmr_harness::mkfifo(&fifo);
        let found = Expansion::of(std::slice::from_ref(&dir)).unwrap();
        assert_eq!(paths(&found), [dir.join("a.log")]);
        assert_eq!(found.special, 1);
        let found = Expansion::of(std::slice::from_ref(&fifo)).unwrap();
        assert_eq!(paths(&found), [fifo]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn globs_keep_names_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let dir = scratch("glob");
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.log");
        std::fs::write(dir.join(name), b"[INFO] x\n").unwrap();
        std::fs::write(dir.join("_skipped.log"), b"[INFO] x\n").unwrap();
        let found = Expansion::of(&[dir.join("*.log")]).unwrap();
        assert_eq!(paths(&found), [dir.join(name)]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn no_arguments_and_dash_are_standard_input() {
        assert_eq!(Expansion::of(&[]).unwrap().inputs, [Input::Stdin]);
        assert_eq!(
            Expansion::of(&[PathBuf::from("-")]).unwrap().inputs,
            [Input::Stdin]
        );
    }
}
