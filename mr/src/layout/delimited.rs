//! Headers whose fields are joined by a byte other than white space:
//! `20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579`,
//! `2024-01-01 10:00:00;WARN;svc-b;disk nearly full`. The header is the
//! run of fields from the line's start, each a stamp or a token without
//! white space, each closed by the same separator; the message starts
//! after the last of them. It takes two such fields, or one that is a
//! stamp, so that a message with a `;` in it (`check pass; user unknown`)
//! is no header.

use memchr::{memchr, memchr2};

use crate::tokens::is_stamp;

use super::stamp::HEAD;

/// The bytes that can join a header's fields.
pub const SEPARATORS: [u8; 2] = [b'|', b';'];

/// A line with a delimited header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delimited {
    /// The byte between its fields.
    pub separator: u8,
    /// Where the message starts: just past the header's last separator.
    pub message: usize,
}

/// A field of a header: a stamp (`2024-01-01 10:00:00`), or a token
/// without white space, perhaps padded with spaces (` INFO `), or empty.
fn is_header_field(field: &[u8]) -> bool {
    is_stamp_field(field) || !field.trim_ascii().iter().any(u8::is_ascii_whitespace)
}

/// A field of stamps only: `2024-01-01 10:00:00`, `20171223-22:15:29:606`.
fn is_stamp_field(field: &[u8]) -> bool {
    let mut tokens = field
        .split(u8::is_ascii_whitespace)
        .filter(|t| !t.is_empty())
        .peekable();
    tokens.peek().is_some() && tokens.all(is_stamp)
}

/// The delimited header of `line`, if it has one.
pub fn parse(line: &[u8]) -> Option<Delimited> {
    let head = &line[..line.len().min(HEAD)];
    let first = memchr2(SEPARATORS[0], SEPARATORS[1], head)?;
    let separator = head[first];
    if !is_header_field(&head[..first]) || head[..first].trim_ascii().is_empty() {
        return None;
    }
    let mut fields = 1;
    let mut message = first + 1;
    while let Some(at) = memchr(separator, &head[message..]) {
        if !is_header_field(&head[message..message + at]) {
            break;
        }
        fields += 1;
        message += at + 1;
    }
    (fields >= 2 || is_stamp_field(&head[..first])).then_some(Delimited { separator, message })
}

impl Delimited {
    /// The header's fields, with their offsets.
    pub fn fields(self, line: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
        let header = &line[..self.message];
        let mut at = 0;
        std::iter::from_fn(move || {
            if at >= header.len() {
                return None;
            }
            let start = at;
            let end =
                start + memchr(self.separator, &header[start..]).unwrap_or(header.len() - start);
            at = end + 1;
            Some((start, &header[start..end]))
        })
    }

    /// The source in the header: the field after the one that holds the
    /// level word at `level`, when that one is in the header; else the
    /// first field with a letter that is not a stamp.
    pub fn source(self, line: &[u8], level: Option<(usize, usize)>) -> Option<(usize, usize)> {
        let named = |(start, field): (usize, &[u8])| {
            let field_trimmed = field.trim_ascii();
            let lead = field.len() - field.trim_ascii_start().len();
            (field_trimmed.iter().any(u8::is_ascii_alphabetic) && !is_stamp_field(field))
                .then_some((start + lead, start + lead + field_trimmed.len()))
        };
        match level {
            Some((start, _)) if start < self.message => {
                let mut fields = self.fields(line).skip_while(|(at, f)| at + f.len() < start);
                fields.next();
                fields.next().and_then(named)
            }
            _ => self.fields(line).find_map(named),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_joined_by_separators() {
        let table = [
            (
                "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
                Some("onStandStepChanged 3579"),
            ),
            (
                "20171223-22:15:29:615|Step_SPUtils|30002312| getTodayTotalDetailSteps = 1514",
                Some(" getTodayTotalDetailSteps = 1514"),
            ),
            (
                "2024-01-01 10:00:00;WARN;svc-b;disk full; retry",
                Some("disk full; retry"),
            ),
            (
                "2024-01-01T10:00:00Z|INFO|user alice logged in",
                Some("user alice logged in"),
            ),
            ("2024-01-01T10:00:00Z|message", Some("message")),
            (
                "2024-01-01 10:00:00 | INFO | svc | disk full",
                Some(" disk full"),
            ),
            ("check pass; user unknown", None),
            ("key=value;other=2 text", None),
            ("a b|c|d", None),
            ("|x|y", None),
            ("plain line", None),
        ];
        for (line, message) in table {
            let got = parse(line.as_bytes()).map(|d| &line[d.message..]);
            assert_eq!(got, message, "{line}");
        }
    }

    #[test]
    fn sources_of_delimited_headers() {
        fn source<'a>(line: &'a str, level: Option<&str>) -> Option<&'a str> {
            let span = level.map(|l| {
                let at = line.find(l).unwrap();
                (at, at + l.len())
            });
            let d = parse(line.as_bytes()).unwrap();
            d.source(line.as_bytes(), span).map(|(s, e)| &line[s..e])
        }
        assert_eq!(
            source("2024-01-01 10:00:00;WARN;svc-b;disk full", Some("WARN")),
            Some("svc-b")
        );
        assert_eq!(
            source("20171223-22:15:29:606|Step_LSC|30002312|x y", None),
            Some("Step_LSC")
        );
        assert_eq!(
            source("2024-01-01T10:00:00Z|INFO|user in", Some("INFO")),
            None
        );
        assert_eq!(
            source("2024-01-01 10:00:00 | INFO | svc | x y", Some("INFO")),
            Some("svc")
        );
    }
}
