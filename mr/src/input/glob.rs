//! Wildcards in input paths (`*` and `?`), for shells that do not expand
//! them (cmd.exe, quoted arguments): matched component by component, on the
//! bytes of file names as the OS holds them.

use std::path::{Path, PathBuf};

use crate::error::Result;

use super::fs::{bytes, hidden, read_dir_sorted};

/// Does any component of `path` hold a `*` or `?` wildcard?
pub(super) fn is_glob(path: &Path) -> bool {
    bytes(path.as_os_str())
        .iter()
        .any(|b| matches!(b, b'*' | b'?'))
}

/// The paths a glob matches, component by component, sorted. A name that
/// a wildcard component matches is skipped when it starts with `_` or `.`,
/// even where the pattern spells that character (`_*`): Hadoop's input
/// filter skips such names in whatever a glob lists.
pub(super) fn glob(pattern: &Path) -> Result<Vec<PathBuf>> {
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
                let name = entry.file_name();
                if matches(part, bytes(&name)) && !hidden(Path::new(&name)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
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
}
