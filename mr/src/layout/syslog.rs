//! Syslog lines: the severity of a leading `<PRI>` (RFC 3164 and RFC
//! 5424), and the host and message of the BSD layout (`Mon dd HH:MM:SS
//! host tag: msg`, with or without `<PRI>`) and of RFC 5424 (`<PRI>1
//! TIMESTAMP HOST APP PROCID MSGID [SD] msg`).

use crate::tokens::{past_group, skip_spaces, token_end};

/// The severity (0 to 7) encoded in a leading `<PRI>`, where PRI is 0 to 191.
#[inline]
pub fn pri_severity(line: &[u8]) -> Option<u8> {
    let rest = line.strip_prefix(b"<")?;
    let close = rest.iter().take(4).position(|&b| b == b'>')?;
    let digits = &rest[..close];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let pri = digits
        .iter()
        .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
    if pri > 191 {
        return None;
    }
    Some((pri % 8) as u8)
}

/// The fields of an RFC 5424 line, `<PRI>1 TIMESTAMP HOST APP PROCID
/// MSGID`, as (start, end) pairs, and where what follows them starts.
fn rfc5424(line: &[u8]) -> Option<([(usize, usize); 5], usize)> {
    if line.first() != Some(&b'<') {
        return None;
    }
    let pri_end = 1 + memchr::memchr(b'>', &line[..line.len().min(5)])?;
    if !line[pri_end..].starts_with(b"1 ") {
        return None;
    }
    let mut fields = [(0, 0); 5];
    let mut i = pri_end + 2;
    for field in &mut fields {
        i = skip_spaces(line, i);
        let end = token_end(line, i);
        if end == i {
            return None;
        }
        *field = (i, end);
        i = end;
    }
    Some((fields, i))
}

/// Where a syslog line's host and message are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Syslog {
    /// The field after `Mon dd HH:MM:SS`, or the HOST field of RFC 5424.
    pub host: (usize, usize),
    /// Where the message starts: after the structured data of RFC 5424, or
    /// after the `TAG:` of the BSD layout; `None` when neither is whole.
    pub message: Option<usize>,
}

/// The host and message of a syslog line, if it is one.
pub fn parse(line: &[u8]) -> Option<Syslog> {
    if let Some((fields, end)) = rfc5424(line) {
        return Some(Syslog {
            host: fields[1],
            message: past_structured_data(line, end),
        });
    }
    let host = host_span(line)?;
    let message =
        memchr::memchr(b':', &line[host.1..]).map(|at| skip_spaces(line, host.1 + at + 1));
    Some(Syslog { host, message })
}

/// Past RFC 5424's structured data (`[id k="v"]…` or `-`) at `i`.
fn past_structured_data(line: &[u8], mut i: usize) -> Option<usize> {
    i = skip_spaces(line, i);
    while line.get(i) == Some(&b'[') {
        i = skip_spaces(line, past_group(line, i)?);
    }
    if line.get(i) == Some(&b'-') {
        i += 1;
    }
    Some(skip_spaces(line, i))
}

fn host_span(line: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    if line.first() == Some(&b'<') {
        i = 1 + memchr::memchr(b'>', &line[..line.len().min(5)])?;
    }
    let rest = &line[i..];
    let month = rest.get(..3)?;
    if !month.iter().all(u8::is_ascii_alphabetic) || rest.get(3) != Some(&b' ') {
        return None;
    }
    let mut at = skip_spaces(rest, 4);
    at = token_end(rest, at);
    let time = skip_spaces(rest, at);
    let time_end = token_end(rest, time);
    let clock = &rest[time..time_end];
    if clock.len() != 8 || clock[2] != b':' || clock[5] != b':' {
        return None;
    }
    let host = skip_spaces(rest, time_end);
    let end = token_end(rest, host);
    (end > host).then_some((i + host, i + end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pri() {
        assert_eq!(
            pri_severity(b"<34>1 2003-10-11T22:14:15.003Z host su - - x"),
            Some(2)
        );
        assert_eq!(pri_severity(b"<13>Dec 10 14:33:21 host app: x"), Some(5));
        assert_eq!(pri_severity(b"<0>x"), Some(0));
        assert_eq!(pri_severity(b"<191>x"), Some(7));
        assert_eq!(pri_severity(b"<192>x"), None);
        assert_eq!(pri_severity(b"<>x"), None);
        assert_eq!(pri_severity(b"<html>"), None);
        assert_eq!(pri_severity(b"<1234>"), None);
    }

    #[test]
    fn hosts_and_messages() {
        let cases = [
            (
                "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: auth failure",
                Some(("combo", Some("auth failure"))),
            ),
            (
                "<34>Oct 11 22:14:15 mymachine su: 'su root' failed",
                Some(("mymachine", Some("'su root' failed"))),
            ),
            (
                "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\"] An application event",
                Some(("mymachine.example.com", Some("An application event"))),
            ),
            (
                "<34>1 2003-10-11T22:14:15.003Z host su - ID47 - 'su root' failed",
                Some(("host", Some("'su root' failed"))),
            ),
            ("Jun  4 05:06:07 host no colon here", Some(("host", None))),
            ("2024-12-10 14:33:21 [INFO] x", None),
        ];
        for (line, want) in cases {
            let got = parse(line.as_bytes()).map(|s| {
                let host = &line[s.host.0..s.host.1];
                (host, s.message.map(|m| &line[m..]))
            });
            assert_eq!(got, want, "{line}");
        }
    }
}
