//! Level detection: which level a log line carries.
//!
//! In the default (auto) mode, layouts that state their level structurally
//! are tried first: a syslog `<PRI>`, a logcat priority letter, a JSON level
//! key. Every other line gets the first level word in it. Lines with no
//! level are counted under `UNKNOWN`, so the counts sum to the line count.

pub mod table;
mod words;

use std::num::NonZeroUsize;

use crate::layout::json::{self, JsonLevel};
use crate::layout::{self, Layout, Line, logcat, syslog};
pub use table::{KeyId, Level, LevelTable, TableError, UNKNOWN_KEY};

/// How the level is found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Structural layouts first, then the first level word.
    Auto,
    /// The level is whitespace-separated field N (1-based).
    Field(NonZeroUsize),
}

/// Finds the level key of a line. Allocation-free.
#[derive(Clone, Debug)]
pub struct Detector {
    table: LevelTable,
    mode: Mode,
}

impl Default for Detector {
    fn default() -> Self {
        Detector::new(LevelTable::builtin(), Mode::Auto)
    }
}

impl Detector {
    pub fn new(table: LevelTable, mode: Mode) -> Detector {
        Detector { table, mode }
    }

    pub fn table(&self) -> &LevelTable {
        &self.table
    }

    /// The key `line` is counted under. `line` excludes the line terminator.
    #[inline]
    pub fn detect(&self, line: &[u8]) -> KeyId {
        match self.mode {
            Mode::Auto => self.auto(line),
            Mode::Field(n) => self.field(line, n.get()),
        }
    }

    /// [`detect`](Self::detect), with the place of the level word when a
    /// word or the `--field` column decided: `(key, Some((start, end)))`.
    /// Structural layouts (syslog `<PRI>`, logcat, JSON) give no place;
    /// they are read from the line's [`Layout`], which the key makers read
    /// too.
    pub fn locate(&self, line: &Line<'_>) -> (KeyId, Option<(usize, usize)>) {
        let bytes = line.bytes();
        match self.mode {
            Mode::Auto => {
                let structural = match line.layout() {
                    Layout::Json => self.json(bytes),
                    Layout::Logcat { letter, .. } => {
                        Level::from_logcat_letter(letter).and_then(|l| self.known(l))
                    }
                    _ => self.pri(bytes),
                };
                if let Some(key) = structural {
                    return (key, None);
                }
                let line = bytes;
                match words::first_level_word_span(line, &self.table) {
                    Some((key, start, end)) => (key, Some((start, end))),
                    None => (self.table.unknown(), None),
                }
            }
            Mode::Field(n) => match field_span(bytes, n.get()) {
                Some((start, end)) => (self.explicit(&bytes[start..end]), Some((start, end))),
                None => (self.table.unknown(), None),
            },
        }
    }

    #[inline(always)]
    fn auto(&self, line: &[u8]) -> KeyId {
        if let Some(key) = self.structural(line) {
            return key;
        }
        words::first_level_word(line, &self.table).unwrap_or(self.table.unknown())
    }

    /// Layouts whose level is found by position rather than by word: the
    /// same recognisers as [`Line::layout`]'s, tried by the first byte.
    #[inline(always)]
    fn structural(&self, line: &[u8]) -> Option<KeyId> {
        let first = *line.first()?;
        let level = match first {
            b'<' => return self.pri(line),
            b'{' => return self.json(line),
            _ if first.is_ascii_whitespace() && layout::is_json(line) => return self.json(line),
            _ => Level::from_logcat_letter(logcat::priority_letter(line)?),
        }?;
        self.known(level)
    }

    /// The level of a syslog `<PRI>`.
    fn pri(&self, line: &[u8]) -> Option<KeyId> {
        self.known(Level::from_syslog_severity(syslog::pri_severity(line)?)?)
    }

    /// A canonical level's key, unless a user table has no key for it.
    fn known(&self, level: Level) -> Option<KeyId> {
        let key = self.table.level_key(level);
        (key != self.table.unknown()).then_some(key)
    }

    fn json(&self, line: &[u8]) -> Option<KeyId> {
        match json::level(line)? {
            JsonLevel::Word(word) => Some(self.explicit(word)),
            JsonLevel::Number(n) => {
                let level = match n {
                    0..=7 => Level::from_syslog_severity(n as u8),
                    10 => Some(Level::Trace),
                    20 => Some(Level::Debug),
                    30 => Some(Level::Info),
                    40 => Some(Level::Warn),
                    50 => Some(Level::Error),
                    60 => Some(Level::Fatal),
                    _ => None,
                };
                Some(level.map_or(self.table.unknown(), |l| self.table.level_key(l)))
            }
            JsonLevel::Other => Some(self.table.unknown()),
        }
    }

    /// The key of a token that is known to hold the level (a JSON level
    /// value, or the `--field` column). Beyond the level words, such a token
    /// may be a logcat letter or a long form (`Information`, `Verbose`).
    fn explicit(&self, token: &[u8]) -> KeyId {
        let word = words::trim_to_letters(token);
        if word.is_empty() || !word.iter().all(u8::is_ascii_alphabetic) {
            return self.table.unknown();
        }
        if let Some(key) = self.table.lookup_word(word) {
            return key;
        }
        let level = match word.len() {
            1 => Level::from_logcat_letter(word[0]),
            _ if word.eq_ignore_ascii_case(b"information") => Some(Level::Info),
            _ if word.eq_ignore_ascii_case(b"verbose") => Some(Level::Trace),
            _ => None,
        };
        level.map_or(self.table.unknown(), |l| self.table.level_key(l))
    }

    fn field(&self, line: &[u8], n: usize) -> KeyId {
        match field_span(line, n) {
            Some((start, end)) => self.explicit(&line[start..end]),
            None => self.table.unknown(),
        }
    }
}

/// The place of whitespace-separated field `n` (1-based).
fn field_span(line: &[u8], n: usize) -> Option<(usize, usize)> {
    let mut i = 0;
    for _ in 1..n {
        i += line[i..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        i += line[i..]
            .iter()
            .take_while(|b| !matches!(b, b' ' | b'\t'))
            .count();
    }
    i += line[i..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let end = i + line[i..]
        .iter()
        .take_while(|b| !matches!(b, b' ' | b'\t'))
        .count();
    (end > i).then_some((i, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto(line: &str) -> String {
        let d = Detector::default();
        String::from_utf8_lossy(d.table().key(d.detect(line.as_bytes()))).into_owned()
    }

    fn field(n: usize, line: &str) -> String {
        let d = Detector::new(
            LevelTable::builtin(),
            Mode::Field(NonZeroUsize::new(n).unwrap()),
        );
        String::from_utf8_lossy(d.table().key(d.detect(line.as_bytes()))).into_owned()
    }

    #[test]
    fn auto_mode_layouts() {
        assert_eq!(
            auto("2024-12-10 14:33:21 [INFO] machine-07: disk error"),
            "INFO"
        );
        assert_eq!(auto("<11>Dec 10 host app: info x"), "ERROR");
        assert_eq!(auto(r#"{"error":"x","level":"warning"}"#), "WARN");
        assert_eq!(auto(r#"  {"@l":"Information"}"#), "INFO");
        assert_eq!(auto(r#"{"level":50}"#), "ERROR");
        assert_eq!(auto(r#"{"level":99}"#), "UNKNOWN");
        assert_eq!(auto(r#"{"msg":"fatal thing"}"#), "FATAL");
        assert_eq!(auto("03-17 16:13:38.811  1702  2395 I Tag: error"), "INFO");
        assert_eq!(auto("plain text"), "UNKNOWN");
        assert_eq!(auto(""), "UNKNOWN");
    }

    #[test]
    fn field_mode() {
        assert_eq!(field(3, "a b [warn] error"), "WARN");
        assert_eq!(field(5, "03-17 16:13:38.811 1702 2395 D Tag: x"), "DEBUG");
        assert_eq!(field(2, "x Information"), "INFO");
        assert_eq!(field(2, "x nothing"), "UNKNOWN");
        assert_eq!(field(9, "too short"), "UNKNOWN");
    }

    #[test]
    fn user_table_falls_back_to_words() {
        let d = Detector::new(LevelTable::from_spec("audit").unwrap(), Mode::Auto);
        let key =
            |l: &str| String::from_utf8_lossy(d.table().key(d.detect(l.as_bytes()))).into_owned();
        assert_eq!(key("03-17 16:13:38.811  1702  2395 I Tag: AUDIT"), "AUDIT");
        assert_eq!(key("[INFO] audit"), "AUDIT");
        assert_eq!(key("[INFO] nothing"), "UNKNOWN");
    }
}
