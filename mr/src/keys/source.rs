//! Sources: the machine, host, logger or component a line comes from.
//!
//! - JSON: the first of the keys in [`SOURCE_KEYS`] with a string value.
//! - logfmt: the first `KEY=value` with a key in [`SOURCE_KEYS`].
//! - syslog (`Mon dd HH:MM:SS host prog: …`, with or without `<PRI>`): the host.
//! - logcat: the tag.
//! - BlueGene/L (`- 1117838570 2005.06.03 NODE …`): the node.
//! - Apache's error log: the client's address, else the 2.4 module.
//! - Python's default (`… - NAME - LEVEL - msg`): the logger name.
//! - Otherwise the token after the level word, past bracketed groups such as
//!   a log4j thread (`INFO [main] org.apache.X: …` gives `org.apache.X`),
//!   without a trailing `:`. It must contain a letter and be set apart from
//!   the message: end with `:`, be followed by ` - `, a bracket or a column
//!   of spaces, or be a qualified name (`org.apache.X`); BlueGene/L's
//!   `KERNEL INFO instruction cache …` has no source after its level.
//! - Failing that, the class of a log4j `[thread:Class@line]` group
//!   (Zookeeper's `[…:FastLeaderElection@774]`).
//! - Without a level, the name in the line's header (see
//!   [`header::source`]): Proxifier's program, HPC's node.
//!
//! The layouts are recognised by [`crate::layout`]; this module chooses
//! among what they place.

use crate::layout::{Layout, Line, header, json, logcat, logfmt};
use crate::tokens::{past_group, token_end};

/// Keys that name a line's source in JSON and logfmt, in order of preference.
pub const SOURCE_KEYS: &[&[u8]] = &[
    b"host",
    b"hostname",
    b"machine",
    b"source",
    b"logger",
    b"logger_name",
    b"component",
    b"service",
];

fn is_source_key(key: &[u8]) -> bool {
    SOURCE_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// The token after the level word (or, in Python's `NAME - LEVEL -`
/// layout, before it), as `(start, end)`.
pub fn after_level(line: &[u8], level: (usize, usize)) -> Option<(usize, usize)> {
    let (start, end) = level;
    if line[end..].starts_with(b" - ") && line[..start].ends_with(b" - ") {
        let before = &line[..start - 3];
        let from = before
            .iter()
            .rposition(|&b| b == b' ')
            .map_or(0, |at| at + 1);
        return (from < before.len()).then_some((from, before.len()));
    }
    if line.get(end) == Some(&b':') && line.get(end + 1).is_some_and(|b| !b.is_ascii_whitespace()) {
        // Python's basic layout, `LEVEL:NAME:msg`.
        let from = end + 1;
        let stop = from + memchr::memchr(b':', &line[from..])?;
        return (stop > from).then_some((from, stop));
    }
    let mut i = end;
    // The last bracketed group passed, such as a log4j thread.
    let mut group = None;
    loop {
        while line
            .get(i)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b']' | b':' | b'|' | b'>'))
        {
            i += 1;
        }
        match line.get(i) {
            Some(b'[') | Some(b'(') => {
                let close = past_group(line, i)?;
                group = Some((i, close));
                i = close;
            }
            Some(_) => break,
            None => return group.and_then(|g| class_in_group(line, g)),
        }
    }
    let raw_stop = token_end(line, i);
    let mut stop = raw_stop;
    while stop > i && matches!(line[stop - 1], b':' | b',' | b';') {
        stop -= 1;
    }
    let token = &line[i..stop];
    if token.iter().any(u8::is_ascii_alphabetic) && names_a_source(line, token, raw_stop) {
        return Some((i, stop));
    }
    group.and_then(|g| class_in_group(line, g))
}

/// Is `token`, the word after a level (ending at `raw_stop` in `line`,
/// punctuation included), set apart as a source rather than the first
/// word of the message? It is when it ends with `:`, when a ` - `, a
/// bracket or a column of spaces follows it, or when it is a qualified
/// name (`org.apache.X`, `dfs.DataNode$PacketResponder`).
fn names_a_source(line: &[u8], token: &[u8], raw_stop: usize) -> bool {
    let rest = &line[raw_stop..];
    line[..raw_stop].ends_with(b":")
        || rest.starts_with(b" - ")
        || rest.starts_with(b"  ")
        || rest.starts_with(b"\t")
        || rest.starts_with(b" [")
        || token.windows(3).any(|w| {
            w[0].is_ascii_alphanumeric()
                && matches!(w[1], b'.' | b'$')
                && w[2].is_ascii_alphabetic()
        })
}

/// The class of a log4j `[thread:Class@line]` group (`%C{1}@%L`), as in
/// `INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774]`.
fn class_in_group(line: &[u8], (open, close): (usize, usize)) -> Option<(usize, usize)> {
    let inner = &line[open + 1..close - 1];
    let at = inner.iter().rposition(|&b| b == b'@')?;
    let digits = &inner[at + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let from = inner[..at]
        .iter()
        .rposition(|&b| matches!(b, b':' | b'/' | b'[' | b' '))
        .map_or(0, |p| p + 1);
    let name = &inner[from..at];
    name.iter()
        .any(u8::is_ascii_alphabetic)
        .then_some((open + 1 + from, open + 1 + at))
}

/// The source of `line`, given the token after its level word
/// ([`after_level`]), which decides when no layout names the source.
pub fn find<'a>(line: &Line<'a>, after: Option<(usize, usize)>) -> Option<&'a [u8]> {
    let bytes = line.bytes();
    match line.layout() {
        Layout::Json => return json::string_value(bytes, is_source_key),
        Layout::Syslog(syslog) => return Some(&bytes[syslog.host.0..syslog.host.1]),
        Layout::Logcat { .. } => {
            if let Some(tag) = logcat::tag(bytes) {
                return Some(tag);
            }
        }
        Layout::BlueGene { node } => return Some(node),
        Layout::Apache(apache) => return apache.source().map(|(start, end)| &bytes[start..end]),
        Layout::Logfmt => {
            if let Some(value) = logfmt::value(bytes, SOURCE_KEYS) {
                return Some(value);
            }
        }
        Layout::Delimited(_) => return after.map(|(start, end)| &bytes[start..end]),
        Layout::Plain => {}
    }
    let (start, end) = after.or_else(|| header::source(bytes))?;
    Some(&bytes[start..end])
}
