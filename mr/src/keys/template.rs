//! Templates: a line's message with its variable parts masked, so that the
//! same event groups under one key whatever its numbers, ids and paths.
//!
//! The message is the JSON `msg`/`message` value, the logfmt `msg=` value,
//! a logcat line's text after its tag, or the text after the source (or the
//! level word) of other layouts; a line without a level is taken whole.
//! Each whitespace-separated token is masked, outside the punctuation around
//! it: UUIDs become `<UUID>`, IPv4 addresses (with a port) `<IP>`, paths
//! `<PATH>`, HDFS block ids `<BLK>`, hex numbers (`0x…`, or six or more hex
//! digits mixing digits and letters) `<HEX>`, and any other run of digits
//! (with decimals) `<NUM>`. White space collapses to one space, and a
//! template is cut at [`MAX_TEMPLATE`] bytes.

use crate::level::json;

/// Longest template kept, in bytes.
pub const MAX_TEMPLATE: usize = 200;

const MESSAGE_KEYS: &[&[u8]] = &[b"msg", b"message", b"@m", b"text"];

/// The message part of `line`: see the module documentation.
pub fn message(
    line: &[u8],
    level: Option<(usize, usize)>,
    source: Option<(usize, usize)>,
) -> &[u8] {
    if line.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return json::string_value(line, |k| {
            MESSAGE_KEYS.iter().any(|m| m.eq_ignore_ascii_case(k))
        })
        .unwrap_or(b"");
    }
    if let Some(at) = memchr::memmem::find(line, b" msg=")
        .map(|at| at + 5)
        .or_else(|| line.starts_with(b"msg=").then_some(4))
    {
        let rest = &line[at..];
        if let Some(quoted) = rest.strip_prefix(b"\"") {
            return &quoted[..memchr::memchr(b'"', quoted).unwrap_or(quoted.len())];
        }
        return &rest[..rest.iter().position(|&b| b == b' ').unwrap_or(rest.len())];
    }
    if let Some(at) = super::source::syslog_message(line) {
        return &line[at..];
    }
    let from = match (source, level) {
        (Some((_, end)), Some((_, level_end))) => end.max(level_end),
        (Some((_, end)), None) | (None, Some((_, end))) => end,
        (None, None) => 0,
    };
    let rest = &line[from..];
    let skip = rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b']' | b':' | b'-' | b'|' | b'>'))
        .count();
    &rest[skip..]
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

fn is_uuid(t: &[u8]) -> bool {
    t.len() == 36
        && t.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => is_hex(b),
        })
}

fn is_ipv4(t: &[u8]) -> bool {
    let (addr, port) = match t.iter().position(|&b| b == b':') {
        Some(at) => (&t[..at], Some(&t[at + 1..])),
        None => (t, None),
    };
    let octets = addr.split(|&b| b == b'.');
    let ok = addr.split(|&b| b == b'.').count() == 4
        && octets
            .into_iter()
            .all(|o| (1..=3).contains(&o.len()) && o.iter().all(u8::is_ascii_digit));
    ok && port.is_none_or(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit))
}

fn is_path(t: &[u8]) -> bool {
    let unix = t.len() > 1 && t[0] == b'/';
    let windows = t.len() > 3 && t[0].is_ascii_alphabetic() && &t[1..3] == b":\\";
    let url = memchr::memmem::find(t, b"://").is_some();
    unix || windows || url
}

fn is_block(t: &[u8]) -> bool {
    let digits = t
        .strip_prefix(b"blk_")
        .map(|d| d.strip_prefix(b"-").unwrap_or(d));
    digits.is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
}

fn is_hex_number(t: &[u8]) -> bool {
    if let Some(digits) = t.strip_prefix(b"0x").or_else(|| t.strip_prefix(b"0X")) {
        return !digits.is_empty() && digits.iter().all(|&b| is_hex(b));
    }
    t.len() >= 6
        && t.iter().all(|&b| is_hex(b))
        && t.iter().any(u8::is_ascii_digit)
        && t.iter().any(u8::is_ascii_alphabetic)
}

/// Appends `token` masked.
fn mask_token(token: &[u8], out: &mut Vec<u8>) {
    let lead = token
        .iter()
        .take_while(|b| matches!(b, b'(' | b'[' | b'{' | b'"' | b'\'' | b'<' | b'='))
        .count();
    let body = &token[lead..];
    let trail = body
        .iter()
        .rev()
        .take_while(|b| {
            matches!(
                b,
                b')' | b']' | b'}' | b'"' | b'\'' | b'>' | b',' | b';' | b':' | b'.' | b'!' | b'?'
            )
        })
        .count();
    let core = &body[..body.len() - trail];
    out.extend_from_slice(&token[..lead]);
    match core.iter().position(|&b| b == b'=') {
        Some(eq) if eq > 0 && !is_path(core) => {
            out.extend_from_slice(&core[..=eq]);
            mask_value(&core[eq + 1..], out);
        }
        _ => mask_value(core, out),
    }
    out.extend_from_slice(&body[body.len() - trail..]);
}

/// Appends `core`, a token without its punctuation, masked.
fn mask_value(core: &[u8], out: &mut Vec<u8>) {
    let whole: Option<&[u8]> = if is_uuid(core) {
        Some(b"<UUID>")
    } else if is_ipv4(core) {
        Some(b"<IP>")
    } else if is_block(core) {
        Some(b"<BLK>")
    } else if is_path(core) {
        Some(b"<PATH>")
    } else if is_hex_number(core) {
        Some(b"<HEX>")
    } else {
        None
    };
    match whole {
        Some(mask) => out.extend_from_slice(mask),
        None => mask_numbers(core, out),
    }
}

/// Appends `text` with each run of digits (with decimals) as `<NUM>`.
fn mask_numbers(text: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < text.len() {
        if text[i].is_ascii_digit() {
            while i < text.len()
                && (text[i].is_ascii_digit()
                    || (text[i] == b'.' && text.get(i + 1).is_some_and(u8::is_ascii_digit)))
            {
                i += 1;
            }
            out.extend_from_slice(b"<NUM>");
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
}

/// Appends the template of `message` to `out`.
pub fn write(message: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    for token in message
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
    {
        if out.len() > start {
            out.push(b' ');
        }
        mask_token(token, out);
        if out.len() - start >= MAX_TEMPLATE {
            out.truncate(start + MAX_TEMPLATE);
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(message: &str) -> String {
        let mut out = Vec::new();
        write(message.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn masks() {
        let table = [
            ("disk usage at 91%", "disk usage at <NUM>%"),
            ("slow query: 2.3s", "slow query: <NUM>s"),
            (
                "Received block blk_-1608999687919862906 of size 91178 from /10.250.10.6",
                "Received block <BLK> of size <NUM> from <PATH>",
            ),
            (
                "connect to 10.250.19.102:50010 failed",
                "connect to <IP> failed",
            ),
            (
                "[instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] VM Stopped",
                "[instance: <UUID>] VM Stopped",
            ),
            (
                "flags=0x1, token 9f4ef63a done",
                "flags=<HEX>, token <HEX> done",
            ),
            ("Loaded C:\\Windows\\winsxs\\x.dll", "Loaded <PATH>"),
            ("GET http://host:8080/a?b=1 200", "GET <PATH> <NUM>"),
            (
                "attempt_1445144423722_0020_000001  started",
                "attempt_<NUM>_<NUM>_<NUM> started",
            ),
            ("  spaced\tout  ", "spaced out"),
            (
                "deadbeef is a word, not hex; cafe too",
                "deadbeef is a word, not hex; cafe too",
            ),
        ];
        for (message, want) in table {
            assert_eq!(template(message), want, "{message}");
        }
    }

    #[test]
    fn long_templates_are_cut() {
        let message = "word ".repeat(100);
        assert_eq!(template(&message).len(), MAX_TEMPLATE);
    }

    #[test]
    fn messages() {
        use crate::level::Detector;
        let message_of = |line: &str| {
            let (_, level) = Detector::default().locate(line.as_bytes());
            let source = level.and_then(|l| super::super::source::after_level(line.as_bytes(), l));
            String::from_utf8_lossy(message(line.as_bytes(), level, source)).into_owned()
        };
        assert_eq!(
            message_of("2024-12-10 14:33:21 [INFO] machine-07: disk usage at 91%"),
            "disk usage at 91%"
        );
        assert_eq!(
            message_of(r#"{"level":"info","msg":"disk usage at 91%"}"#),
            "disk usage at 91%"
        );
        assert_eq!(
            message_of("time=x level=info msg=\"slow response\" a=b"),
            "slow response"
        );
        assert_eq!(
            message_of("2024-03-01 12:00:01,002 - app.db - WARNING - slow query: 2.3s"),
            "slow query: 2.3s"
        );
        assert_eq!(message_of("plain text"), "plain text");
        assert_eq!(
            message_of("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown"),
            "check pass; user unknown"
        );
        assert_eq!(
            message_of(
                "<34>1 2003-10-11T22:14:15.003Z host su - ID47 [a b=\"c\"] 'su root' failed"
            ),
            "'su root' failed"
        );
        assert_eq!(message_of("CRITICAL:root:shutting down"), "shutting down");
    }
}
