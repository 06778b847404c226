//! JSON lines: the value of a key wanted (the first level key, `"level"`,
//! `"severity"`, `"lvl"`, …; a source or message key), wherever it stands
//! in the object. Key order in JSON is
//! arbitrary (logrus sorts keys, so `"error"` can precede `"level"`), which
//! is why JSON is not left to the first-word rule.

use memchr::memchr;

use crate::bytescan::{equal16, find_either};

/// Key names, lower-case, that hold a line's level.
const LEVEL_KEYS: &[&[u8]] = &[
    b"level",
    b"lvl",
    b"severity",
    b"loglevel",
    b"log_level",
    b"log.level",
    b"levelname",
    b"@l",
];

/// The value of a JSON line's level key.
#[derive(Debug, PartialEq, Eq)]
pub enum JsonLevel<'a> {
    /// A string value, without its quotes.
    Word(&'a [u8]),
    /// A numeric value (syslog 0–7, or bunyan/pino 10–60).
    Number(u64),
    /// A level key whose value is neither.
    Other,
}

fn skip_ws(line: &[u8], mut i: usize) -> usize {
    while i < line.len() && matches!(line[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// Given `i` just past an opening quote, the index of the closing quote.
fn string_end(line: &[u8], mut i: usize) -> Option<usize> {
    loop {
        let at = i + find_either(&line[i..], b'"', b'\\')?;
        if line[at] == b'"' {
            return Some(at);
        }
        i = at + 2;
        if i > line.len() {
            return None;
        }
    }
}

fn is_level_key(key: &[u8]) -> bool {
    LEVEL_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// Where the value of the first key that `wanted` accepts starts, in a line
/// that starts (after white space) with `{`. Keys are matched at any depth.
pub(crate) fn value_start(line: &[u8], wanted: impl Fn(&[u8]) -> bool) -> Option<usize> {
    match unescaped_value_start(line, &wanted) {
        Ok(found) => found,
        Err(Escaped) => escaped_value_start(line, &wanted),
    }
}

/// The line holds a backslash, so its quotes do not simply pair up.
struct Escaped;

/// [`value_start`] for a line without backslashes, where every string is
/// the span between two consecutive quotes. The quotes are found sixteen
/// bytes at a time, and the line is read once.
#[inline(always)]
fn unescaped_value_start(
    line: &[u8],
    wanted: &impl Fn(&[u8]) -> bool,
) -> Result<Option<usize>, Escaped> {
    let mut open = None;
    let mut at_quote = |q: usize| {
        let Some(o) = open.take() else {
            open = Some(q);
            return None;
        };
        let after = skip_ws(line, q + 1);
        (line.get(after) == Some(&b':') && wanted(&line[o + 1..q]))
            .then(|| skip_ws(line, after + 1))
    };
    let mut blocks = line.chunks_exact(16);
    let mut base = 0;
    for block in blocks.by_ref() {
        let block = block.try_into().unwrap();
        if equal16(block, b'\\') != 0 {
            return Err(Escaped);
        }
        let mut quotes = equal16(block, b'"');
        while quotes != 0 {
            if let Some(found) = at_quote(base + quotes.trailing_zeros() as usize) {
                return Ok(Some(found));
            }
            quotes &= quotes - 1;
        }
        base += 16;
    }
    for (i, &b) in blocks.remainder().iter().enumerate() {
        match b {
            b'\\' => return Err(Escaped),
            b'"' => {
                if let Some(found) = at_quote(base + i) {
                    return Ok(Some(found));
                }
            }
            _ => {}
        }
    }
    Ok(None)
}

/// [`value_start`] for any line: strings end at the first quote that no
/// backslash escapes.
fn escaped_value_start(line: &[u8], wanted: &impl Fn(&[u8]) -> bool) -> Option<usize> {
    let mut i = 0;
    loop {
        let open = i + memchr(b'"', &line[i..])?;
        let close = string_end(line, open + 1)?;
        let after = skip_ws(line, close + 1);
        if line.get(after) != Some(&b':') {
            i = close + 1;
            continue;
        }
        if !wanted(&line[open + 1..close]) {
            i = after + 1;
            continue;
        }
        return Some(skip_ws(line, after + 1));
    }
}

/// The string value of the first key that `wanted` accepts, without its
/// quotes (escapes left as they are).
pub(crate) fn string_value(line: &[u8], wanted: impl Fn(&[u8]) -> bool) -> Option<&[u8]> {
    let v = value_start(line, wanted)?;
    if line.get(v) != Some(&b'"') {
        return None;
    }
    string_end(line, v + 1).map(|end| &line[v + 1..end])
}

/// The level value of a line that starts (after white space) with `{`, or
/// `None` when the line has no level key.
pub fn level(line: &[u8]) -> Option<JsonLevel<'_>> {
    let v = value_start(line, is_level_key)?;
    Some(match line.get(v) {
        Some(b'"') => match string_end(line, v + 1) {
            Some(end) => JsonLevel::Word(&line[v + 1..end]),
            None => JsonLevel::Other,
        },
        Some(d) if d.is_ascii_digit() => {
            let digits = line[v..].iter().take_while(|b| b.is_ascii_digit()).take(6);
            JsonLevel::Number(digits.fold(0, |acc, &b| acc * 10 + u64::from(b - b'0')))
        }
        _ => JsonLevel::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_level_keys_anywhere() {
        let cases: &[(&str, Option<JsonLevel>)] = &[
            (
                r#"{"level":"info","msg":"x"}"#,
                Some(JsonLevel::Word(b"info")),
            ),
            (
                r#"{"error":"boom","level":"warning"}"#,
                Some(JsonLevel::Word(b"warning")),
            ),
            (
                r#"{"msg":"\"level\": \"x\"","severity":"ERROR"}"#,
                Some(JsonLevel::Word(b"ERROR")),
            ),
            (
                r#"{"log":{"Level" : "debug"}}"#,
                Some(JsonLevel::Word(b"debug")),
            ),
            (r#"{"level":30,"msg":"pino"}"#, Some(JsonLevel::Number(30))),
            (r#"{"level":null}"#, Some(JsonLevel::Other)),
            (r#"{"msg":"no level"}"#, None),
            (r#"{"msg":"unterminated"#, None),
            (r#"{"a\\":"b","lvl":"E"}"#, Some(JsonLevel::Word(b"E"))),
        ];
        for (line, want) in cases {
            assert_eq!(level(line.as_bytes()), *want, "{line}");
        }
    }

    /// Lines of JSON-ish tokens: keys, strings, colons, escapes, spaces.
    fn jsonish() -> impl Strategy<Value = String> {
        let tokens = prop::sample::select(vec![
            "\"",
            ":",
            " ",
            "\t",
            "{",
            "}",
            ",",
            "\\",
            "\\\"",
            "level",
            "LVL",
            "@l",
            "x",
            "\"level\"",
            "\"severity\"",
            "\"msg\"",
            "\"warn\"",
            "30",
            "é",
        ]);
        prop::collection::vec(tokens, 0..40).prop_map(|t| format!("{{{}", t.concat()))
    }

    proptest! {
        /// The quote-pairing scan agrees with the escape-aware one on every
        /// line without a backslash, and leaves the others to it.
        #[test]
        fn the_quote_pairs_are_the_strings(line in jsonish()) {
            let line = line.as_bytes();
            let general = escaped_value_start(line, &is_level_key);
            match unescaped_value_start(line, &is_level_key) {
                Ok(found) => prop_assert_eq!(found, general),
                Err(Escaped) => prop_assert!(line.contains(&b'\\')),
            }
            prop_assert_eq!(value_start(line, is_level_key), general);
        }
    }
}
