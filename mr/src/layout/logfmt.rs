//! logfmt lines (`time=… level=info msg="…" host=web-1`): `KEY=value`
//! pairs, a value quoted when it holds spaces.

use std::sync::LazyLock;

use memchr::memmem;

use crate::tokens::token_end;

/// Is `line` logfmt: is its first token a `KEY=value` pair?
pub fn is_logfmt(line: &[u8]) -> bool {
    line[..token_end(line, 0)].contains(&b'=')
}

/// The value of the first of `keys` (in their order) that the line holds
/// as a `KEY=value` pair, its quotes removed.
pub fn value<'l>(line: &'l [u8], keys: &[&[u8]]) -> Option<&'l [u8]> {
    keys.iter().find_map(|key| {
        let mut from = 0;
        while let Some(at) = memchr::memmem::find(&line[from..], key).map(|at| from + at) {
            from = at + 1;
            let bounded = at == 0 || matches!(line[at - 1], b' ' | b'\t');
            if !bounded || line.get(at + key.len()) != Some(&b'=') {
                continue;
            }
            let value = at + key.len() + 1;
            if line.get(value) == Some(&b'"') {
                let end = memchr::memchr(b'"', &line[value + 1..])?;
                return Some(&line[value + 1..value + 1 + end]);
            }
            return Some(&line[value..token_end(line, value)]);
        }
        None
    })
}

/// The value of a `msg=` pair anywhere in the line (at its start or after
/// a space), its quotes removed.
pub fn message(line: &[u8]) -> Option<&[u8]> {
    // Built once: every line a template key reads is searched.
    static MSG: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(" msg="));
    let at = MSG
        .find(line)
        .map(|at| at + 5)
        .or_else(|| line.starts_with(b"msg=").then_some(4))?;
    let rest = &line[at..];
    if let Some(quoted) = rest.strip_prefix(b"\"") {
        return Some(&quoted[..memchr::memchr(b'"', quoted).unwrap_or(quoted.len())]);
    }
    Some(&rest[..rest.iter().position(|&b| b == b' ').unwrap_or(rest.len())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_messages() {
        let line =
            b"time=2024-12-10T14:33:21Z level=info msg=\"disk full\" host=\"web 1\" machine=m-7";
        assert!(is_logfmt(line));
        assert_eq!(value(line, &[b"machine", b"host"]), Some(&b"m-7"[..]));
        assert_eq!(value(line, &[b"host"]), Some(&b"web 1"[..]));
        assert_eq!(value(line, &[b"ost"]), None);
        assert_eq!(message(line), Some(&b"disk full"[..]));
        assert_eq!(message(b"msg=bare rest"), Some(&b"bare"[..]));
        assert!(!is_logfmt(b"2024-12-10 level=info"));
        assert_eq!(message(b"no message here"), None);
    }
}
