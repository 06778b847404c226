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

/// A level word, lower-cased and packed (see [`pack_letters`]), and its key.
/// The packed form of a word is never 0, which marks an empty hash slot.
#[derive(Clone, Copy, Debug, Default)]
struct Word {
    packed: u128,
    key: KeyId,
}

/// Level words, their keys, and the `UNKNOWN` key.
///
/// Words sit in a collision-free (perfect) hash table, so a lookup is one
/// multiply, one load and one compare.
#[derive(Clone, Debug)]
pub struct LevelTable {
    /// The words in the order they were given.
    words: Vec<Word>,
    slots: Box<[Word]>,
    multiplier: u64,
    shift: u32,
    /// Bit `n` is set when some word has length `n`.
    len_mask: u32,
    keys: Vec<Box<[u8]>>,
    /// The key each canonical [`Level`] maps to in this table.
    level_keys: [KeyId; 11],
    unknown: KeyId,
}

fn splitmix64(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The hash slot of a packed word.
#[inline(always)]
fn slot_of(packed: u128, multiplier: u64, shift: u32) -> usize {
    let folded = (packed as u64) ^ ((packed >> 64) as u64).rotate_left(32);
    (folded.wrapping_mul(multiplier) >> shift) as usize
}

/// `LOWER_PREFIX[n]`: 0x20 in the first `n` bytes, for lower-casing letters.
const LOWER_PREFIX: [u128; MAX_WORD_LEN + 1] = prefix_masks(0x20);
/// `KEEP_PREFIX[n]`: 0xff in the first `n` bytes.
const KEEP_PREFIX: [u128; MAX_WORD_LEN + 1] = prefix_masks(0xff);

const fn prefix_masks(byte: u8) -> [u128; MAX_WORD_LEN + 1] {
    let mut masks = [0u128; MAX_WORD_LEN + 1];
    let mut n = 1;
    while n <= MAX_WORD_LEN {
        masks[n] = masks[n - 1] | (byte as u128) << ((n - 1) * 8);
        n += 1;
    }
    masks
}

/// Keeps the first `len` bytes of `bytes` (little-endian) and lower-cases
/// them, assuming they are letters.
#[inline(always)]
fn lower_case_prefix(bytes: u128, len: usize) -> u128 {
    (bytes & KEEP_PREFIX[len]) | LOWER_PREFIX[len]
}

/// Lower-cases an all-letter word of at most [`MAX_WORD_LEN`] bytes and packs
/// it into one integer, so that a lookup is a few integer compares.
#[inline]
fn pack_letters(word: &[u8]) -> u128 {
    debug_assert!(word.len() <= MAX_WORD_LEN);
    let mut bytes = [0u8; MAX_WORD_LEN];
    bytes[..word.len()].copy_from_slice(word);
    lower_case_prefix(u128::from_le_bytes(bytes), word.len())
}

impl Default for LevelTable {
    fn default() -> Self {
        Self::builtin()
    }
}

impl LevelTable {
    /// The built-in table documented in GUIDE.md.
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
            let packed = pack_letters(word.as_bytes());
            if table.words.iter().any(|w| w.packed == packed) {
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
            words: Vec::new(),
            slots: Box::new([]),
            multiplier: 0,
            shift: 0,
            len_mask: 0,
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
        self.words.push(Word {
            packed: pack_letters(word),
            key,
        });
        self.len_mask |= 1 << word.len();
    }

    /// Finds a multiplier that hashes every word to its own slot, in the
    /// smallest power-of-two table that allows one. Deterministic.
    fn build_slots(&mut self) {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut bits = (self.words.len() * 4)
            .next_power_of_two()
            .trailing_zeros()
            .max(4);
        loop {
            for _ in 0..1000 {
                seed = splitmix64(seed);
                let multiplier = seed | 1;
                let shift = 64 - bits;
                let mut slots = vec![Word::default(); 1 << bits].into_boxed_slice();
                let collision_free = self.words.iter().all(|w| {
                    let slot = &mut slots[slot_of(w.packed, multiplier, shift)];
                    let free = slot.packed == 0;
                    *slot = *w;
                    free
                });
                if collision_free {
                    self.slots = slots;
                    self.multiplier = multiplier;
                    self.shift = shift;
                    return;
                }
            }
            bits += 1;
        }
    }

    fn finish(mut self) -> LevelTable {
        self.build_slots();
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
    #[inline]
    pub fn lookup_word(&self, word: &[u8]) -> Option<KeyId> {
        self.lookup_in(word, 0, word.len())
    }

    /// The key of the all-letter token `line[start..end]`, if it is a level
    /// word. Reads up to 16 bytes from `start` at once when the line has
    /// them, rather than copying the token.
    #[inline(always)]
    pub fn lookup_in(&self, line: &[u8], start: usize, end: usize) -> Option<KeyId> {
        let len = end - start;
        if len > MAX_WORD_LEN || self.len_mask & (1 << len) == 0 {
            return None;
        }
        let packed = match line.get(start..start + MAX_WORD_LEN) {
            Some(window) => {
                let bytes = u128::from_le_bytes(window.try_into().unwrap());
                lower_case_prefix(bytes, len)
            }
            None => pack_letters(&line[start..end]),
        };
        let slot = &self.slots[slot_of(packed, self.multiplier, self.shift)];
        (slot.packed == packed).then_some(slot.key)
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
        self.words
            .iter()
            .map(|w| {
                let bytes = w.packed.to_le_bytes();
                let len = bytes.iter().position(|&b| b == 0).unwrap_or(MAX_WORD_LEN);
                (
                    String::from_utf8_lossy(&bytes[..len]).into_owned(),
                    self.key(w.key),
                )
            })
            .collect()
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
    fn large_user_tables_hash_without_collisions() {
        let words: Vec<String> = (0..300)
            .map(|i: u32| {
                let mut n = i;
                let mut w = String::from("w");
                while n > 0 || w.len() < 3 {
                    w.push((b'a' + (n % 26) as u8) as char);
                    n /= 26;
                }
                w
            })
            .collect();
        let t = LevelTable::from_spec(&words.join(",")).unwrap();
        for w in &words {
            let id = t.lookup_word(w.as_bytes()).unwrap_or_else(|| panic!("{w}"));
            assert_eq!(t.key(id), w.to_ascii_uppercase().as_bytes());
        }
        assert_eq!(t.lookup_word(b"wzzzz"), None);
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
        assert_eq!(t.words()[0], ("trace".to_string(), &b"TRACE"[..]));
        assert!(t.words().contains(&("warning".to_string(), &b"WARN"[..])));
    }
}
