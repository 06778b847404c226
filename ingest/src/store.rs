//! The small file-system interface the sink commits through, and its
//! local-directory implementation. The commit and recovery logic in
//! [`crate::commit`] is written once against [`Store`], so every store
//! (a local directory, HDFS) shares it line for line.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// One file in a store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the store's root, `/`-separated.
    pub path: String,
    pub len: u64,
}

/// A file being written; durable only once closed.
pub trait StoreWriter {
    fn write(&mut self, data: &[u8]) -> Result<()>;
    /// Makes the file durable (written through to the disk or DataNodes).
    fn close(self: Box<Self>) -> Result<()>;
}

/// What the commit protocol needs of a file system. Paths are relative to
/// the store's root and `/`-separated.
pub trait Store {
    /// Creates a new file; fails if it exists.
    fn create(&self, path: &str) -> Result<Box<dyn StoreWriter + '_>>;
    /// Renames atomically; fails if `to` exists, never overwriting it.
    fn rename(&self, from: &str, to: &str) -> Result<()>;
    /// Every file under the root, recursively.
    fn list(&self) -> Result<Vec<Entry>>;
    /// Deletes a file; a missing file is not an error.
    fn delete(&self, path: &str) -> Result<()>;
    /// The whole content of a file.
    fn read(&self, path: &str) -> Result<Vec<u8>>;
    /// Appends to a file, creating it if missing, and makes it durable.
    /// Used only by the single-file mode, which is not exactly-once.
    fn append(&self, path: &str, data: &[u8]) -> Result<()>;
    /// Where the store is, for messages.
    fn describe(&self) -> String;
}

/// A local directory, laid out as the HDFS directory would be.
#[derive(Clone, Debug)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// A store rooted at `root`, created if missing.
    pub fn open(root: &Path) -> Result<LocalStore> {
        fs::create_dir_all(root)
            .map_err(|e| Error::io(format!("cannot create {}", root.display()), e))?;
        Ok(LocalStore {
            root: root.to_path_buf(),
        })
    }

    fn full(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    fn err(&self, what: &str, path: &str, e: io::Error) -> Error {
        Error::io(format!("{what} {}", self.full(path).display()), e)
    }
}

/// Makes a directory entry (a create or a rename in it) durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

struct LocalWriter {
    file: File,
    path: PathBuf,
}

impl StoreWriter for LocalWriter {
    fn write(&mut self, data: &[u8]) -> Result<()> {
        self.file
            .write_all(data)
            .map_err(|e| Error::io(format!("cannot write {}", self.path.display()), e))
    }

    fn close(self: Box<Self>) -> Result<()> {
        self.file
            .sync_all()
            .map_err(|e| Error::io(format!("cannot sync {}", self.path.display()), e))
    }
}

impl Store for LocalStore {
    fn create(&self, path: &str) -> Result<Box<dyn StoreWriter + '_>> {
        let full = self.full(path);
        if let Some(dir) = full.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| self.err("cannot create the directory of", path, e))?;
        }
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&full)
            .map_err(|e| self.err("cannot create", path, e))?;
        Ok(Box::new(LocalWriter { file, path: full }))
    }

    fn rename(&self, from: &str, to: &str) -> Result<()> {
        let (src, dst) = (self.full(from), self.full(to));
        if let Some(dir) = dst.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| self.err("cannot create the directory of", to, e))?;
        }
        // A hard link fails when the target exists, unlike rename(2), which
        // would replace it. A crash between link and unlink leaves both
        // names; recovery deletes the temporary one.
        fs::hard_link(&src, &dst).map_err(|e| self.err("cannot publish", to, e))?;
        fs::remove_file(&src).map_err(|e| self.err("cannot remove", from, e))?;
        if let Some(dir) = dst.parent() {
            sync_dir(dir).map_err(|e| self.err("cannot sync the directory of", to, e))?;
        }
        Ok(())
    }

    fn list(&self) -> Result<Vec<Entry>> {
        let mut out = Vec::new();
        let mut dirs = vec![self.root.clone()];
        while let Some(dir) = dirs.pop() {
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                // A directory can vanish while another writer works.
                Err(e) if e.kind() == io::ErrorKind::NotFound && dir != self.root => continue,
                Err(e) => return Err(Error::io(format!("cannot list {}", dir.display()), e)),
            };
            for entry in entries {
                let entry =
                    entry.map_err(|e| Error::io(format!("cannot list {}", dir.display()), e))?;
                let meta = match entry.metadata() {
                    Ok(meta) => meta,
                    // Renamed or deleted between readdir and stat, by
                    // another sink committing: it is listed under its new
                    // name or not at all, as a later listing would show.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => {
                        return Err(Error::io(
                            format!("cannot stat {}", entry.path().display()),
                            e,
                        ));
                    }
                };
                if meta.is_dir() {
                    dirs.push(entry.path());
                } else {
                    let rel = entry
                        .path()
                        .strip_prefix(&self.root)
                        .unwrap_or(&entry.path())
                        .to_path_buf();
                    let path = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/");
                    out.push(Entry {
                        path,
                        len: meta.len(),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    fn delete(&self, path: &str) -> Result<()> {
        match fs::remove_file(self.full(path)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(self.err("cannot delete", path, e))
            }
            _ => Ok(()),
        }
    }

    fn read(&self, path: &str) -> Result<Vec<u8>> {
        fs::read(self.full(path)).map_err(|e| self.err("cannot read", path, e))
    }

    fn append(&self, path: &str, data: &[u8]) -> Result<()> {
        let full = self.full(path);
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&full)
            .map_err(|e| self.err("cannot open", path, e))?;
        file.write_all(data)
            .and_then(|_| file.sync_data())
            .map_err(|e| self.err("cannot append to", path, e))
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }
}

/// The behaviour every [`Store`] must have, checked on an empty store.
#[cfg(any(test, feature = "contract"))]
pub mod contract {
    use super::*;

    pub fn check(store: &dyn Store) {
        assert_eq!(store.list().unwrap(), vec![], "the store starts empty");
        let mut w = store.create("_tmp.a").unwrap();
        w.write(b"hel").unwrap();
        w.write(b"lo\n").unwrap();
        w.close().unwrap();
        assert!(
            store.create("_tmp.a").is_err(),
            "create must not reuse a name"
        );
        store.rename("_tmp.a", "sub/a.log").unwrap();
        assert_eq!(
            store.list().unwrap(),
            vec![Entry {
                path: "sub/a.log".into(),
                len: 6
            }]
        );
        assert_eq!(store.read("sub/a.log").unwrap(), b"hello\n");

        let mut w = store.create("_tmp.b").unwrap();
        w.write(b"other\n").unwrap();
        w.close().unwrap();
        assert!(
            store.rename("_tmp.b", "sub/a.log").is_err(),
            "rename must never overwrite"
        );
        assert_eq!(store.read("sub/a.log").unwrap(), b"hello\n");
        store.delete("_tmp.b").unwrap();
        store.delete("_tmp.b").unwrap();
        store.delete("sub/a.log").unwrap();
        assert_eq!(store.list().unwrap(), vec![]);

        store.append("single.txt", b"one\n").unwrap();
        store.append("single.txt", b"two\n").unwrap();
        assert_eq!(store.read("single.txt").unwrap(), b"one\ntwo\n");
        store.delete("single.txt").unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_store_keeps_the_contract() {
        let dir = std::env::temp_dir().join(format!("logmr-store-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        contract::check(&LocalStore::open(&dir).unwrap());
        fs::remove_dir_all(dir).unwrap();
    }
}
