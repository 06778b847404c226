//! The file system as input listing sees it: names as bytes, Hadoop's
//! hidden names, and directories listed in order.

use std::fs::DirEntry;
use std::path::Path;

use crate::error::{Error, Result};

/// The bytes of a path or name, as the OS holds them: file names need not
/// be UTF-8, and a glob must match and keep them as they are.
pub(super) fn bytes(name: &std::ffi::OsStr) -> &[u8] {
    name.as_encoded_bytes()
}

/// Hadoop's input listing skips names starting with `_` or `.`.
pub(super) fn hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| matches!(bytes(n).first(), Some(b'_' | b'.')))
}

/// A directory's entries, sorted by name.
pub(super) fn read_dir_sorted(dir: &Path) -> Result<Vec<DirEntry>> {
    let read = |e| Error::Read {
        input: dir.display().to_string(),
        source: e,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(read)?
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(read)?;
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}
