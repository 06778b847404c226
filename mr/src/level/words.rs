//! The generic rule: the level is the first word-bounded level word in the
//! line. Words are runs of `[A-Za-z0-9_]` and non-ASCII bytes, as regex `\b`
//! sees them; only all-letter words can be level words, and not those
//! joined by `.` or `-` to another word, which are parts of a name
//! (`info.pinyin.sogou.com`, `dl-debug.dropbox.com`, `pureserver.info`).

use super::table::{KeyId, LevelTable};
use crate::bytescan::letters16;

const OTHER: u8 = 0;
const LETTER: u8 = 1;
const WORD_NON_LETTER: u8 = 2;

const fn build_classes() -> [u8; 256] {
    let mut classes = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        classes[b] = if byte.is_ascii_alphabetic() {
            LETTER
        } else if byte.is_ascii_digit() || byte == b'_' || byte >= 0x80 {
            WORD_NON_LETTER
        } else {
            OTHER
        };
        b += 1;
    }
    classes
}

static CLASSES: [u8; 256] = build_classes();

/// The first run of ASCII letters at or after `i`, as (start, end),
/// sixteen bytes at a time. The mask that finds the start usually shows the
/// end as well.
#[inline(always)]
fn next_letter_run(line: &[u8], mut i: usize) -> Option<(usize, usize)> {
    while let Some(block) = line.get(i..).and_then(<[u8]>::first_chunk::<16>) {
        let letters = letters16(block);
        if letters != 0 {
            let first = letters.trailing_zeros();
            let run = (!(letters >> first)).trailing_zeros();
            let start = i + first as usize;
            if first + run < 16 {
                return Some((start, start + run as usize));
            }
            return Some((start, end_of_letters(line, start)));
        }
        i += 16;
    }
    let start = (i..line.len()).find(|&j| CLASSES[line[j] as usize] == LETTER)?;
    Some((start, end_of_letters(line, start)))
}

/// The end of the run of letters that starts at `i`.
#[inline(always)]
fn end_of_letters(line: &[u8], mut i: usize) -> usize {
    while let Some(block) = line.get(i..).and_then(<[u8]>::first_chunk::<16>) {
        let others = !letters16(block) & 0xffff;
        if others != 0 {
            return i + others.trailing_zeros() as usize;
        }
        i += 16;
    }
    while i < line.len() && CLASSES[line[i] as usize] == LETTER {
        i += 1;
    }
    i
}

/// The end of the word that byte `i` belongs to.
#[inline(always)]
fn end_of_word(line: &[u8], mut i: usize) -> usize {
    while i < line.len() && CLASSES[line[i] as usize] != OTHER {
        i += 1;
    }
    i
}

/// The key of the first level word in `line`, if any.
///
/// Runs without letters (timestamps, numbers, punctuation) are skipped
/// sixteen bytes at a time; only words made of letters alone are looked up.
#[inline]
pub fn first_level_word(line: &[u8], table: &LevelTable) -> Option<KeyId> {
    scan(line, table, |key, _, _| key)
}

/// [`first_level_word`] with the word's place: `(key, start, end)`.
pub fn first_level_word_span(line: &[u8], table: &LevelTable) -> Option<(KeyId, usize, usize)> {
    scan(line, table, |key, start, end| (key, start, end))
}

/// Is the word at `start..end` joined by `.` or `-` to a word before or
/// after it, as part of a name?
#[inline]
fn joined(line: &[u8], start: usize, end: usize) -> bool {
    let joiner = |b: u8| matches!(b, b'.' | b'-');
    (start >= 2 && joiner(line[start - 1]) && CLASSES[line[start - 2] as usize] != OTHER)
        || (end + 1 < line.len() && joiner(line[end]) && CLASSES[line[end + 1] as usize] != OTHER)
}

/// The first level word, as `found(key, start, end)` makes it.
#[inline(always)]
fn scan<T>(line: &[u8], table: &LevelTable, found: impl Fn(KeyId, usize, usize) -> T) -> Option<T> {
    let mut i = 0;
    // Most layouts put the level in the first 32 bytes, after a timestamp:
    // take them in one mask and try the first letter run in them.
    if let Some(head) = line.first_chunk::<32>() {
        let (a, b) = head.split_first_chunk::<16>().unwrap();
        let letters = letters16(a) | letters16(b.try_into().unwrap()) << 16;
        if letters == 0 {
            i = 32;
        } else {
            let start = letters.trailing_zeros() as usize;
            let end = start + (!(letters >> start)).trailing_zeros() as usize;
            if end < 32 {
                let bounded = (start == 0 || CLASSES[line[start - 1] as usize] == OTHER)
                    && CLASSES[line[end] as usize] == OTHER;
                if bounded {
                    if let Some(key) = table.lookup_in(line, start, end) {
                        if !joined(line, start, end) {
                            return Some(found(key, start, end));
                        }
                    }
                }
                i = end;
            } else {
                i = start;
            }
        }
    }
    loop {
        let (start, end) = next_letter_run(line, i)?;
        if start > 0 && CLASSES[line[start - 1] as usize] != OTHER {
            // Inside a word that began with a digit, `_` or non-ASCII byte.
            i = end_of_word(line, end);
            continue;
        }
        if end < line.len() && CLASSES[line[end] as usize] != OTHER {
            // Letters followed by a digit, `_` or non-ASCII byte.
            i = end_of_word(line, end);
            continue;
        }
        if let Some(key) = table.lookup_in(line, start, end) {
            if !joined(line, start, end) {
                return Some(found(key, start, end));
            }
        }
        i = end;
    }
}

/// Strips everything but ASCII letters from both ends of `token`.
pub fn trim_to_letters(token: &[u8]) -> &[u8] {
    let start = token.iter().position(u8::is_ascii_alphabetic);
    let end = token.iter().rposition(u8::is_ascii_alphabetic);
    match (start, end) {
        (Some(s), Some(e)) => &token[s..=e],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The rule as the module states it, word by word: words are runs of
    /// `[A-Za-z0-9_]` and non-ASCII bytes, and the first all-letter one that
    /// the table knows, not joined to another word by `.` or `-`, is the
    /// level word.
    fn naive(line: &[u8], table: &LevelTable) -> Option<(KeyId, usize, usize)> {
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
        let mut i = 0;
        while i < line.len() {
            if !is_word(line[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < line.len() && is_word(line[i]) {
                i += 1;
            }
            let word = &line[start..i];
            let dot_or_dash = |b: u8| b == b'.' || b == b'-';
            let name = (start >= 2 && dot_or_dash(line[start - 1]) && is_word(line[start - 2]))
                || (i + 1 < line.len() && dot_or_dash(line[i]) && is_word(line[i + 1]));
            if word.iter().all(u8::is_ascii_alphabetic) && !name {
                if let Some(key) = table.lookup_word(word) {
                    return Some((key, start, i));
                }
            }
        }
        None
    }

    /// Lines of words, digits, punctuation and non-ASCII bytes, with level
    /// words among them, at any offset and of any length.
    fn wordy_line() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            3 => prop::sample::select(vec![
                "INFO", "warn", "Error", "err", "DEBUG", "notice", "emergency", "info",
                "machine", "errors", "x", "ab", "abcdefghijklmnopqr",
            ])
            .prop_map(|w| w.as_bytes().to_vec()),
            2 => prop::sample::select(vec![" ", "[", "]", ": ", "-", "=", "\"", "{", "\t", "."])
                .prop_map(|w| w.as_bytes().to_vec()),
            1 => "[0-9_]{1,12}".prop_map(String::into_bytes),
            1 => proptest::collection::vec(128u8.., 1..3),
            1 => proptest::collection::vec(any::<u8>(), 1..20),
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn the_scan_is_the_rule(line in wordy_line()) {
            let t = LevelTable::builtin();
            let want = naive(&line, &t);
            prop_assert_eq!(first_level_word_span(&line, &t), want);
            prop_assert_eq!(first_level_word(&line, &t), want.map(|(key, _, _)| key));
        }
    }

    fn key(line: &str) -> Option<String> {
        let t = LevelTable::builtin();
        first_level_word(line.as_bytes(), &t)
            .map(|k| String::from_utf8_lossy(t.key(k)).into_owned())
    }

    #[test]
    fn word_boundaries() {
        assert_eq!(key("[INFO] x").as_deref(), Some("INFO"));
        assert_eq!(key("level=warn msg=x").as_deref(), Some("WARN"));
        assert_eq!(key("\"level\":\"Error\"").as_deref(), Some("ERROR"));
        assert_eq!(key("WARNING:root:x").as_deref(), Some("WARN"));
        assert_eq!(
            key("errors informative ERR_CODE err2 info").as_deref(),
            Some("INFO")
        );
        assert_eq!(key("erró then debug").as_deref(), Some("DEBUG"));
        assert_eq!(key("no level here"), None);
        assert_eq!(
            key("0123456789 abcdefgh_info INFOx 12info warn"),
            Some("WARN".into())
        );
        assert_eq!(key("[@INFO`] {error["), Some("INFO".into()));
        assert_eq!(key("\u{e9}info debug"), Some("DEBUG".into()));
        // Parts of names, not levels.
        assert_eq!(key("chrome.exe - info.pinyin.sogou.com:80 open"), None);
        assert_eq!(key("GET dl-debug.dropbox.com from pureserver.info"), None);
        assert_eq!(
            key("failed with error. retrying - warn-only"),
            Some("ERROR".into())
        );
        assert_eq!(key(""), None);
    }

    #[test]
    fn first_word_wins() {
        assert_eq!(key("2024-01-01 INFO disk error").as_deref(), Some("INFO"));
        assert_eq!(key("x: error then INFO").as_deref(), Some("ERROR"));
    }

    #[test]
    fn trimming() {
        assert_eq!(trim_to_letters(b"[INFO]:"), b"INFO");
        assert_eq!(trim_to_letters(b"123"), b"");
        assert_eq!(trim_to_letters(b"\"w\","), b"w");
    }
}
