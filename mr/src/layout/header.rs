//! The header of a line that no known layout places: the run of stamps,
//! ids and names before its message (`134681 node-246 unix.hw
//! state_change.unavailable 1077804742 1 Component State Change: …`,
//! `[10.30 16:49:06] chrome.exe - proxy:5070 open …`), told apart from the
//! message by the shape of its tokens, not by a list of layouts.

use crate::tokens::{is_ipv4, is_stamp};

/// How far into a line a header is looked for.
const MAX_TOKENS: usize = 12;

/// A token a header is made of: a stamp, an id holding a digit
/// (`node-246`, `R02-M1-N0-C:J12-U11`), an upper-case word (`RAS KERNEL`),
/// a name joined by `.`, `_`, `-` or `$` (`unix.hw`, `app.db`), or `-`.
fn is_header_token(t: &[u8]) -> bool {
    let letters = t.iter().any(u8::is_ascii_alphabetic);
    is_stamp(t)
        || t == b"-"
        || t.iter().any(u8::is_ascii_digit)
        || (letters && !t.iter().any(u8::is_ascii_lowercase))
        || (letters && t.iter().any(|b| matches!(b, b'.' | b'_' | b'-' | b'$')))
}

/// The whitespace-separated tokens of `line`'s head, with their offsets.
fn tokens(line: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < line.len() && line[at].is_ascii_whitespace() {
            at += 1;
        }
        if at == line.len() {
            return None;
        }
        let start = at;
        while at < line.len() && !line[at].is_ascii_whitespace() {
            at += 1;
        }
        Some((start, &line[start..at]))
    })
    .take(MAX_TOKENS)
}

/// What one pass over a header found.
#[derive(Debug, Default)]
struct Scan {
    /// The end of the last stamp, and the token after it.
    last_stamp: Option<(usize, usize)>,
    /// Where a lone `-` that sets a name apart ends.
    dash: Option<(usize, usize)>,
    /// The first id of letters and digits (`node-246`, `gige7`).
    id: Option<(usize, usize)>,
}

/// Reads the header of `line`: its tokens while they are header tokens or
/// lower-case words, up to a lone `-` soon after a stamp, a word ending a
/// clause (`close,`) or an opening parenthesis.
fn scan(line: &[u8]) -> Scan {
    let mut found = Scan::default();
    let mut stamp_index = 0;
    for (i, (at, t)) in tokens(line).enumerate() {
        if t == b"-" {
            match found.last_stamp {
                Some(_) if i - stamp_index <= 3 => {
                    found.dash = Some((at, at + 1));
                    break;
                }
                Some(_) => break,
                None => continue,
            }
        }
        let lower_word = !t.iter().any(u8::is_ascii_uppercase);
        if !(is_header_token(t) || lower_word)
            || matches!(t.last(), Some(b',' | b';'))
            || t.starts_with(b"(")
        {
            break;
        }
        if is_stamp(t) && !is_ipv4(t) {
            found.last_stamp = Some((at + t.len(), i + 1));
            stamp_index = i;
        } else if found.id.is_none()
            && t.iter().any(u8::is_ascii_alphabetic)
            && t.iter().any(u8::is_ascii_digit)
            && !t.iter().any(|b| matches!(b, b':' | b'.' | b'[' | b']'))
        {
            found.id = Some((at, at + t.len()));
        }
    }
    found
}

/// Where the message of `line` starts when no level word places it: past
/// the last stamp of the header, or past a lone `-` that sets a name apart
/// right after it (`[time] chrome.exe - msg`). The header is read while its
/// tokens are header tokens or lower-case words, up to such a `-`, a word
/// ending a clause (`close,`) or an opening parenthesis; a line without a
/// stamp there has no header (0).
pub fn message_start(line: &[u8]) -> usize {
    let found = scan(line);
    match (found.dash, found.last_stamp) {
        (Some((_, end)), _) => end,
        (None, Some((end, _))) => end,
        (None, None) => 0,
    }
}

/// The source in the header of a line that no layout names one for: the
/// name a `-` sets apart after the stamps (Proxifier's `chrome.exe *64`),
/// else the first id of letters and digits (HPC's `node-246`, `gige7`).
pub fn source(line: &[u8]) -> Option<(usize, usize)> {
    let found = scan(line);
    if let (Some((dash, _)), Some((stamp_end, _))) = (found.dash, found.last_stamp) {
        let name = &line[stamp_end..dash];
        let start = stamp_end + name.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let end = dash
            - name
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        return (end > start).then_some((start, end));
    }
    found.id
}

/// Where a trailing log4j logger starts: ` (kafka.server.ReplicaFetcherThread)`
/// at the end of `line`, as Kafka's layout `[%d] %p %m (%c)%n` writes every
/// line; a qualified Java class name (two dots or more, the last part
/// capitalised) in parentheses.
pub fn logger_suffix(line: &[u8]) -> Option<usize> {
    let inner = line.strip_suffix(b")")?;
    let open = memchr::memrchr(b'(', inner)?;
    let name = &inner[open + 1..];
    let is_part = |p: &[u8]| {
        p.first()
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            && p.iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$'))
    };
    let class = &name[memchr::memrchr(b'.', name).map_or(0, |dot| dot + 1)..];
    let named = memchr::memchr_iter(b'.', name).count() >= 2
        && name.split(|&b| b == b'.').all(is_part)
        && class.first()?.is_ascii_uppercase();
    (named && open > 0 && line[open - 1] == b' ').then(|| open - 1)
}

/// Past the stamps that follow a header's level word at `from` (HPC's
/// `switch_module error 1073192214 1 Link ok`): where its message starts.
pub fn past_stamps(line: &[u8], from: usize) -> usize {
    let mut end = from;
    for (at, t) in tokens(&line[from..]) {
        if !is_stamp(t) || is_ipv4(t) {
            break;
        }
        end = from + at + t.len();
    }
    end
}

/// Does a level word at `start` stand in the header, with only header
/// tokens before it (`2015-10-18 18:01:47,978 INFO`, `RAS KERNEL INFO`),
/// rather than in the message (`Temperature exceeds warning threshold`)?
pub fn level_in_header(line: &[u8], start: usize) -> bool {
    tokens(&line[..start]).all(|(_, t)| is_header_token(t) || t.starts_with(b"["))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_real_layouts() {
        let table = [
            (
                "134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change: x",
                "Component State Change: x",
            ),
            (
                "134681 node-109 node status 1084680778 1 running",
                "running",
            ),
            (
                "[10.30 16:49:06] chrome.exe - proxy.example.com:5070 open through proxy",
                "proxy.example.com:5070 open through proxy",
            ),
            (
                "[10.30 16:49:06] chrome.exe *64 - proxy.example.com:5070 close",
                "proxy.example.com:5070 close",
            ),
            ("plain text without a header", "plain text without a header"),
            ("Disk 3 of 10 failed", "Disk 3 of 10 failed"),
            (
                "[10.30 16:49:06] chrome.exe - 10.1.2.3:443 close, 1190 bytes (1.16 KB) sent",
                "10.1.2.3:443 close, 1190 bytes (1.16 KB) sent",
            ),
        ];
        for (line, message) in table {
            let at = message_start(line.as_bytes());
            assert_eq!(line[at..].trim_start(), message, "{line}");
        }
    }

    #[test]
    fn sources_in_headers() {
        let table = [
            (
                "[10.30 16:49:06] chrome.exe *64 - proxy.example.com:5070 close",
                "chrome.exe *64",
            ),
            (
                "134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component",
                "node-246",
            ),
            (
                "2560209 gige7 switch_module error 1073192214 1 Link ok",
                "gige7",
            ),
            ("plain text", "none"),
        ];
        for (line, want) in table {
            let got = source(line.as_bytes()).map_or("none", |(s, e)| &line[s..e]);
            assert_eq!(got, want, "{line}");
        }
    }

    #[test]
    fn a_trailing_logger_is_not_the_message() {
        let line = b"[2024-12-10 14:33:21,978] INFO x: done (kafka.server.ReplicaFetcherThread)";
        assert_eq!(
            &line[..logger_suffix(line).unwrap()],
            b"[2024-12-10 14:33:21,978] INFO x: done"
        );
        for kept in [
            &b"took 5 (ms)"[..],
            b"see (a.b)",
            b"loaded (org.example.lower)",
            b"x(org.example.Foo)",
            b"(org.example.Foo)",
        ] {
            assert_eq!(
                logger_suffix(kept),
                None,
                "{}",
                String::from_utf8_lossy(kept)
            );
        }
    }

    #[test]
    fn stamps_after_a_level_are_header() {
        let line = b"2560209 Interconnect-1N01 switch_module error 1073192214 1 Link ok";
        let at = past_stamps(line, 45);
        assert_eq!(&line[at..], b" Link ok");
        assert_eq!(past_stamps(b"INFO instruction cache", 4), 4);
    }

    #[test]
    fn levels_in_headers_and_in_messages() {
        let cases = [
            ("2015-10-18 18:01:47,978 INFO [main] x", "INFO", true),
            (
                "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 RAS KERNEL INFO x",
                "INFO",
                true,
            ),
            (
                "2024-03-01 12:00:01,002 - app.db - WARNING - x",
                "WARNING",
                true,
            ),
            (
                "134681 node-246 unix.hw 1077804742 1 Temperature exceeds warning threshold",
                "warning",
                false,
            ),
        ];
        for (line, level, header) in cases {
            let start = line.find(level).unwrap();
            assert_eq!(level_in_header(line.as_bytes(), start), header, "{line}");
        }
    }
}
