//! The vocabulary of level words: which words name a level, and the one
//! canonical key each of them is counted under.

use std::fmt;

/// Index of a key in a [`LevelTable`]. Counting by index keeps the map hot
/// path free of hashing and allocation.
pub type KeyId = usize;

/// The key that lines without a recognisable level are counted under.
pub const UNKNOWN_KEY: &str = "UNKNOWN";

/// Longest level word a table can hold. Longer tokens are never levels.
pub const MAX_WORD_LEN: usize = 16;

/// The canonical levels that layout-specific detectors (syslog `<PRI>`,
/// logcat letters, numeric JSON levels) produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Notice,
    Warn,
    Error,
    Critical,
    Fatal,
    Severe,
    Alert,
    Emerg,
}

impl Level {
    pub const ALL: [Level; 11] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Notice,
        Level::Warn,
        Level::Error,
        Level::Critical,
        Level::Fatal,
        Level::Severe,
        Level::Alert,
        Level::Emerg,
    ];

    /// The canonical key this level is counted under.
    pub fn key(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Notice => "NOTICE",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
            Level::Fatal => "FATAL",
            Level::Severe => "SEVERE",
            Level::Alert => "ALERT",
            Level::Emerg => "EMERG",
        }
    }

    /// Syslog severity (RFC 5424, 0 = emergency … 7 = debug).
    pub fn from_syslog_severity(sev: u8) -> Option<Level> {
        Some(match sev {
            0 => Level::Emerg,
            1 => Level::Alert,
            2 => Level::Critical,
            3 => Level::Error,
            4 => Level::Warn,
            5 => Level::Notice,
            6 => Level::Info,
            7 => Level::Debug,
            _ => return None,
        })
    }

    /// Android logcat priority letter (`V D I W E F A`).
    pub fn from_logcat_letter(letter: u8) -> Option<Level> {
        Some(match letter.to_ascii_uppercase() {
            b'V' => Level::Trace,
            b'D' => Level::Debug,
            b'I' => Level::Info,
            b'W' => Level::Warn,
            b'E' => Level::Error,
            b'F' | b'A' => Level::Fatal,
            _ => return None,
        })
    }
}

/// The built-in words: (word, level). Matching is case-insensitive.
pub const BUILTIN_WORDS: &[(&str, Level)] = &[
    ("trace", Level::Trace),
    ("debug", Level::Debug),
    ("info", Level::Info),
    ("notice", Level::Notice),
    ("warn", Level::Warn),
    ("warning", Level::Warn),
    ("error", Level::Error),
    ("err", Level::Error),
    ("critical", Level::Critical),
    ("crit", Level::Critical),
    ("fatal", Level::Fatal),
    ("severe", Level::Severe),
    ("alert", Level::Alert),
    ("emerg", Level::Emerg),
    ("emergency", Level::Emerg),
];

/// A problem with a user-supplied level list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError(String);

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TableError {}

#[derive(Clone, Copy, Debug)]
struct Word {
    packed: u128,
    key: KeyId,
}

/// Level words, their keys, and the `UNKNOWN` key.
#[derive(Clone, Debug)]
pub struct LevelTable {
    /// Words bucketed by length: `by_len[n]` holds the words of n bytes.
    by_len: [Vec<Word>; MAX_WORD_LEN + 1],
    /// Bit `n` is set when some word has length `n`.
    len_mask: u32,
    /// Bit `c - b'a'` is set when some word starts with letter `c`.
    first_mask: u32,
    keys: Vec<Box<[u8]>>,
    /// The key each canonical [`Level`] maps to in this table.
    level_keys: [KeyId; 11],
    unknown: KeyId,
}

/// Lower-cases an all-letter word of at most [`MAX_WORD_LEN`] bytes and packs
/// it into one integer, so that a lookup is a few integer compares.
#[inline(always)]
fn pack_letters(word: &[u8]) -> u128 {
    debug_assert!(word.len() <= MAX_WORD_LEN);
    let mut bytes = [0u8; MAX_WORD_LEN];
    bytes[..word.len()].copy_from_slice(word);
    let lower_bits = u128::from_le_bytes([0x20; MAX_WORD_LEN]);
    let len_mask = if word.len() == MAX_WORD_LEN {
        u128::MAX
    } else {
        (1u128 << (word.len() * 8)) - 1
    };
    u128::from_le_bytes(bytes) | (lower_bits & len_mask)
}

impl Default for LevelTable {
    fn default() -> Self {
        Self::builtin()
    }
}

impl LevelTable {
    /// The built-in table documented in the README.
    pub fn builtin() -> LevelTable {
        let mut table = LevelTable::empty();
        for level in Level::ALL {
            table.intern_key(level.key().as_bytes());
        }
        for &(word, level) in BUILTIN_WORDS {
            let key = table.intern_key(level.key().as_bytes());
            table.add_word(word.as_bytes(), key);
        }
        table.finish()
    }

    /// A table of user-supplied words: `WORD` or `WORD=KEY`, separated by
    /// commas. `WORD` alone is counted under its upper-cased self.
    pub fn from_spec(spec: &str) -> Result<LevelTable, TableError> {
        let mut table = LevelTable::empty();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (word, key) = match item.split_once('=') {
                Some((w, k)) => (w.trim(), k.trim().to_string()),
                None => (item, item.to_ascii_uppercase()),
            };
            if word.is_empty() || word.len() > MAX_WORD_LEN {
                return Err(TableError(format!(
                    "level word {word:?} must be 1 to {MAX_WORD_LEN} letters"
                )));
            }
            if !word.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(TableError(format!(
                    "level word {word:?} must consist of ASCII letters only"
                )));
            }
            if key.is_empty() || key.bytes().any(|b| b.is_ascii_control()) {
                return Err(TableError(format!(
                    "key {key:?} for level word {word:?} must be non-empty and printable"
                )));
            }
            let id = table.intern_key(key.as_bytes());
            if table.lookup_word(word.as_bytes()).is_some() {
                return Err(TableError(format!("level word {word:?} is listed twice")));
            }
            table.add_word(word.as_bytes(), id);
        }
        if table.keys.is_empty() {
            return Err(TableError("the level list is empty".to_string()));
        }
        Ok(table.finish())
    }

    fn empty() -> LevelTable {
        LevelTable {
            by_len: Default::default(),
            len_mask: 0,
            first_mask: 0,
            keys: Vec::new(),
            level_keys: [0; 11],
            unknown: 0,
        }
    }

    fn intern_key(&mut self, key: &[u8]) -> KeyId {
        if let Some(id) = self.keys.iter().position(|k| &k[..] == key) {
            return id;
        }
        self.keys.push(key.into());
        self.keys.len() - 1
    }

    fn add_word(&mut self, word: &[u8], key: KeyId) {
        let len = word.len();
        self.by_len[len].push(Word {
            packed: pack_letters(word),
            key,
        });
        self.len_mask |= 1 << len;
        self.first_mask |= 1 << (word[0].to_ascii_lowercase() - b'a');
    }

    fn finish(mut self) -> LevelTable {
        self.unknown = self.intern_key(UNKNOWN_KEY.as_bytes());
        for (slot, level) in self.level_keys.iter_mut().zip(Level::ALL) {
            *slot = self
                .keys
                .iter()
                .position(|k| &k[..] == level.key().as_bytes())
                .unwrap_or(self.unknown);
        }
        self
    }

    /// The key of an all-letter token, if it is a level word.
    #[inline(always)]
    pub fn lookup_word(&self, word: &[u8]) -> Option<KeyId> {
        let len = word.len();
        if len > MAX_WORD_LEN || self.len_mask & (1 << len) == 0 {
            return None;
        }
        let first = word[0] | 0x20;
        if !first.is_ascii_lowercase() || self.first_mask & (1 << (first - b'a')) == 0 {
            return None;
        }
        let packed = pack_letters(word);
        self.by_len[len]
            .iter()
            .find(|w| w.packed == packed)
            .map(|w| w.key)
    }

    /// The key a canonical level is counted under in this table; `UNKNOWN`
    /// when a user-supplied table has no key of that name.
    #[inline]
    pub fn level_key(&self, level: Level) -> KeyId {
        self.level_keys[level as usize]
    }

    /// The key for lines without a level.
    #[inline]
    pub fn unknown(&self) -> KeyId {
        self.unknown
    }

    /// Number of distinct keys, `UNKNOWN` included.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// The bytes of a key.
    pub fn key(&self, id: KeyId) -> &[u8] {
        &self.keys[id]
    }

    /// Every (word, key) pair, in the order the table was built.
    pub fn words(&self) -> Vec<(String, &[u8])> {
        let mut out = Vec::new();
        for words in &self.by_len {
            for w in words {
                let bytes = w.packed.to_le_bytes();
                let len = bytes.iter().position(|&b| b == 0).unwrap_or(MAX_WORD_LEN);
                out.push((
                    String::from_utf8_lossy(&bytes[..len]).into_owned(),
                    self.key(w.key),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_words_map_to_canonical_keys() {
        let t = LevelTable::builtin();
        for &(word, level) in BUILTIN_WORDS {
            for variant in [
                word.to_string(),
                word.to_ascii_uppercase(),
                word[..1].to_ascii_uppercase() + &word[1..],
            ] {
                let id = t.lookup_word(variant.as_bytes()).expect(&variant);
                assert_eq!(t.key(id), level.key().as_bytes(), "{variant}");
            }
        }
    }

    #[test]
    fn non_level_words_are_rejected() {
        let t = LevelTable::builtin();
        for w in [
            "machine",
            "errors",
            "informative",
            "I",
            "E",
            "warns",
            "x",
            "levelx",
        ] {
            assert_eq!(t.lookup_word(w.as_bytes()), None, "{w}");
        }
    }

    #[test]
    fn user_spec_replaces_the_table() {
        let t = LevelTable::from_spec("audit, sec=SECURITY,Info").unwrap();
        assert_eq!(t.key(t.lookup_word(b"AUDIT").unwrap()), b"AUDIT");
        assert_eq!(t.key(t.lookup_word(b"sec").unwrap()), b"SECURITY");
        assert_eq!(t.key(t.lookup_word(b"info").unwrap()), b"INFO");
        assert_eq!(t.lookup_word(b"error"), None);
        assert_eq!(t.key(t.level_key(Level::Info)), b"INFO");
        assert_eq!(t.level_key(Level::Error), t.unknown());
    }

    #[test]
    fn bad_user_specs_are_errors() {
        for spec in ["", " , ", "a1", "toolongtoolongtool", "x=", "a,a"] {
            assert!(LevelTable::from_spec(spec).is_err(), "{spec:?}");
        }
    }

    #[test]
    fn words_round_trip() {
        let t = LevelTable::builtin();
        assert_eq!(t.words().len(), BUILTIN_WORDS.len());
        assert!(t.words().contains(&("warning".to_string(), &b"WARN"[..])));
    }
}
