//! Log layouts: what a line's bytes say about where its parts are. A line
//! is classified once, when a key needs more than its level: JSON, syslog
//! (BSD or RFC 5424), logcat, Apache's error log, BlueGene/L, logfmt, a
//! header delimited by `|` or `;`, or plain, with what each
//! layout places (a host, a tag, a node, a message). The level detector's
//! fast path reads the same recognisers ([`syslog::pri_severity`],
//! [`logcat::priority_letter`], [`json::level`]) without classifying.
//!
//! A line that no layout places has a header of stamps, ids and names
//! before its message ([`header`]); its timestamp is found by [`stamp`].
//! Nothing here knows level words or keys: those are the level detector's
//! and the key makers'.

pub mod apache;
pub mod delimited;
pub mod header;
pub mod json;
pub mod logcat;
pub mod logfmt;
pub mod stamp;
pub mod syslog;

use std::cell::OnceCell;

/// What a line's layout places.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout<'a> {
    /// A JSON object (the first byte that is not white space is `{`).
    Json,
    /// A syslog line, BSD or RFC 5424, with or without `<PRI>`.
    Syslog(syslog::Syslog),
    /// An Android logcat line, with its priority letter; its tag is
    /// [`logcat::tag`], read only by a key that needs it.
    Logcat { letter: u8 },
    /// An Apache httpd error line: `[Sun Dec 04 04:47:44 2005] [error] …`.
    Apache(apache::ApacheError),
    /// A BlueGene/L line: `- 1117838570 2005.06.03 NODE …`.
    BlueGene { node: &'a [u8] },
    /// A logfmt line: its first token is a `KEY=value` pair.
    Logfmt,
    /// A header of fields joined by `|` or `;`, not by white space.
    Delimited(delimited::Delimited),
    /// None of these.
    Plain,
}

/// A line, and its layout once asked for.
#[derive(Debug)]
pub struct Line<'a> {
    bytes: &'a [u8],
    layout: OnceCell<Layout<'a>>,
}

impl<'a> Line<'a> {
    pub fn new(bytes: &'a [u8]) -> Line<'a> {
        Line {
            bytes,
            layout: OnceCell::new(),
        }
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The line's layout, classified on the first call.
    pub fn layout(&self) -> Layout<'a> {
        *self.layout.get_or_init(|| classify(self.bytes))
    }
}

/// Does the line hold a JSON object: is its first byte that is not white
/// space `{`?
#[inline]
pub fn is_json(line: &[u8]) -> bool {
    line.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// The layout of `line`: the first of JSON, syslog, logcat, Apache's error
/// log, BlueGene/L, logfmt and a delimited header that it is, else plain.
pub fn classify(line: &[u8]) -> Layout<'_> {
    if is_json(line) {
        return Layout::Json;
    }
    if let Some(found) = syslog::parse(line) {
        return Layout::Syslog(found);
    }
    if let Some(letter) = logcat::priority_letter(line) {
        return Layout::Logcat { letter };
    }
    if let Some(found) = apache::parse(line) {
        return Layout::Apache(found);
    }
    if let Some(node) = bluegene_node(line) {
        return Layout::BlueGene { node };
    }
    if logfmt::is_logfmt(line) {
        return Layout::Logfmt;
    }
    if let Some(found) = delimited::parse(line) {
        return Layout::Delimited(found);
    }
    Layout::Plain
}

/// The node of a BlueGene/L line: `- 1117838570 2005.06.03 NODE …`
/// (fields split at spaces).
fn bluegene_node(line: &[u8]) -> Option<&[u8]> {
    let mut at = 0;
    field(line, &mut at)?;
    let epoch = field(line, &mut at)?;
    if epoch.len() != 10 || !epoch.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let date = field(line, &mut at)?;
    if date.len() != 10 || date[4] != b'.' || date[7] != b'.' {
        return None;
    }
    field(line, &mut at)
}

/// The next field of `line` from `at` on, fields split at runs of spaces.
fn field<'l>(line: &'l [u8], at: &mut usize) -> Option<&'l [u8]> {
    while line.get(*at) == Some(&b' ') {
        *at += 1;
    }
    if *at == line.len() {
        return None;
    }
    let start = *at;
    *at += memchr::memchr(b' ', &line[start..]).unwrap_or(line.len() - start);
    Some(&line[start..*at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_layout_once() {
        let cases = [
            (r#"  {"level":"info"}"#, "json"),
            ("<34>Oct 11 22:14:15 mymachine su: x", "syslog"),
            ("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: x", "syslog"),
            (
                "03-17 16:13:38.811  1702  2395 D WindowManager: x",
                "logcat",
            ),
            ("I/ActivityManager(  585): Start proc", "logcat"),
            ("[Sun Dec 04 04:47:44 2005] [error] mod_jk child", "apache"),
            (
                "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 RAS KERNEL INFO x",
                "bluegene",
            ),
            ("time=2024-12-10T14:33:21Z level=info msg=x", "logfmt"),
            ("2024-12-10 14:33:21 [INFO] machine-07: x", "plain"),
            ("<34> not syslog", "plain"),
            ("2024-12-10 14:33:21|INFO|svc|x", "delimited"),
            ("check pass; user unknown", "plain"),
            ("", "plain"),
        ];
        for (line, want) in cases {
            let line = Line::new(line.as_bytes());
            let got = match line.layout() {
                Layout::Json => "json",
                Layout::Syslog(_) => "syslog",
                Layout::Logcat { .. } => "logcat",
                Layout::Apache(_) => "apache",
                Layout::BlueGene { .. } => "bluegene",
                Layout::Logfmt => "logfmt",
                Layout::Delimited(_) => "delimited",
                Layout::Plain => "plain",
            };
            assert_eq!(got, want, "{:?}", bstr::BStr::new(line.bytes()));
        }
    }
}
