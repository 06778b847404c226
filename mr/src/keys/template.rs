//! Templates: a line's message with its variable parts masked, so that the
//! same event groups under one key whatever its numbers, ids and hosts.
//!
//! The message is the JSON `msg`/`message` value, the logfmt `msg=` value,
//! a syslog or logcat line's text after its tag, an Apache error line's
//! text after its bracketed groups, or the text after the
//! source or the level word when the level stands in the line's header. A
//! line whose level word is in its message, or that has none, loses its
//! header instead (see [`header`]): leading stamps, ids and names up
//! to the last stamp, or to a `-` that sets a name apart after it. A level
//! word with nothing after it is the message (`… 1 critical`).
//!
//! Each whitespace-separated token is masked, outside the punctuation around
//! it: UUIDs become `<UUID>`; IPv4 addresses and host names, with a port,
//! `<HOST>`; paths and URLs `<PATH>`; HDFS block ids `<BLK>`; hex numbers
//! (`0x…`, six or more hex digits mixing digits and letters, eight or more
//! zero-padded) `<HEX>`; numbers (signed, with decimals, with a unit such
//! as `KB` or `ms` after them or as the next token) `<NUM>`; and any other
//! token holding a digit (`rdd_42_3`, `node-246`) or naming a day or month
//! `<*>`. In `KEY=value` only the value is masked. White space collapses
//! to one space, and a template is cut at [`MAX_TEMPLATE`] bytes.

use crate::layout::{Layout, Line, header, json, logcat, logfmt};
use crate::tokens::{
    is_block, is_date_name, is_hex_number, is_host, is_ipv4, is_path, is_unit, is_uuid, number_len,
};

/// Longest template kept, in bytes.
pub const MAX_TEMPLATE: usize = 200;

const MESSAGE_KEYS: &[&[u8]] = &[b"msg", b"message", b"@m", b"text"];

/// The message part of `line`: see the module documentation.
pub fn message<'a>(
    line: &Line<'a>,
    level: Option<(usize, usize)>,
    source: Option<(usize, usize)>,
) -> &'a [u8] {
    let layout = line.layout();
    let line = line.bytes();
    if layout == Layout::Json {
        return json::string_value(line, |k| {
            MESSAGE_KEYS.iter().any(|m| m.eq_ignore_ascii_case(k))
        })
        .unwrap_or(b"");
    }
    if let Some(message) = logfmt::message(line) {
        return message;
    }
    if let Layout::Syslog(syslog) = layout {
        if let Some(at) = syslog.message {
            return &line[at..];
        }
    }
    if let Layout::Delimited(delimited) = layout {
        return &line[delimited.message..];
    }
    if let Layout::Apache(apache) = layout {
        return &line[apache.message..];
    }
    if let Layout::Logcat { .. } = layout {
        if let Some(at) = logcat::message_start(line) {
            return &line[at..];
        }
    }
    let from = match (source, level) {
        (Some((_, end)), Some((_, level_end))) => end.max(level_end),
        (Some((_, end)), None) => end,
        (None, Some((start, end))) if header::level_in_header(line, start) => {
            header::past_stamps(line, end)
        }
        (None, _) => header::message_start(line),
    };
    let end = header::logger_suffix(line).unwrap_or(line.len());
    let rest = &line[past_open_groups(line, from).min(end)..end];
    let skip = rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b']' | b':' | b'-' | b'|' | b'>'))
        .count();
    match (&rest[skip..], level) {
        // The level word is the whole message (`… 1 critical`).
        (b"", Some((start, end))) if source.is_none() => &line[start..end],
        (message, _) => message,
    }
}

/// `from`, or when `from` lies inside a bracketed group (a source taken
/// from a log4j `[thread:Class@line]`), the offset just past that group.
fn past_open_groups(line: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    for &b in &line[..from] {
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let mut at = from;
    while depth > 0 && at < line.len() {
        match line[at] {
            b'[' => depth += 1,
            b']' => depth -= 1,
            _ => {}
        }
        at += 1;
    }
    at
}

/// Appends `token` masked; true when it was a bare number, so that a unit
/// token after it is masked with it.
fn mask_token(token: &[u8], after_number: bool, out: &mut Vec<u8>) -> bool {
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
    if after_number && lead == 0 && is_unit(core) {
        // `1024.0 B,`: the unit joins the number before it.
        if out.last() == Some(&b' ') {
            out.pop();
        }
        out.extend_from_slice(&body[body.len() - trail..]);
        return false;
    }
    out.extend_from_slice(&token[..lead]);
    let number = match key_end(core) {
        Some(end) => {
            out.extend_from_slice(&core[..end]);
            mask_value(&core[end..], out);
            false
        }
        None => mask_value(core, out),
    };
    out.extend_from_slice(&body[body.len() - trail..]);
    number && trail == 0
}

/// Where the value of a `KEY=value` or `KEY:value` token starts: past an
/// `=` after anything, or past a `:` after a name of letters (with `_` or
/// `-`), so that `CurrentState:112` keeps its name. Paths are whole tokens,
/// not keys, and so are hosts with a port (their names hold dots).
fn key_end(core: &[u8]) -> Option<usize> {
    let at = core.iter().position(|&b| matches!(b, b'=' | b':'))?;
    if is_path(core) {
        return None;
    }
    if let Some(eq) = core[at..].iter().position(|&b| b == b'=') {
        return (at + eq > 0).then_some(at + eq + 1);
    }
    let colon = at;
    let name = &core[..colon];
    let is_name = name.iter().filter(|b| b.is_ascii_alphabetic()).count() >= 2
        && name
            .iter()
            .all(|&b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-'));
    (is_name && colon + 1 < core.len()).then_some(colon + 1)
}

/// Appends `core`, a token without its punctuation, masked: whole tokens
/// that are UUIDs, addresses, block ids, paths or hex numbers by their
/// kind; a number (signed, with decimals, with a unit or `%` after it) as
/// `<NUM>` (and its `%`); any other token holding a digit, an id such as
/// `rdd_12_3` or `node-246`, as `<*>`. True when it was a bare number.
fn mask_value(core: &[u8], out: &mut Vec<u8>) -> bool {
    // Words, the commonest tokens: only a day or month name is masked.
    if core.iter().all(u8::is_ascii_alphabetic) {
        out.extend_from_slice(if is_date_name(core) { b"<*>" } else { core });
        return false;
    }
    let whole: Option<&[u8]> = if is_uuid(core) {
        Some(b"<UUID>")
    } else if is_ipv4(core) || is_host(core) {
        Some(b"<HOST>")
    } else if is_date_name(core) {
        Some(b"<*>")
    } else if is_block(core) {
        Some(b"<BLK>")
    } else if is_path(core) {
        Some(b"<PATH>")
    } else if is_hex_number(core) {
        Some(b"<HEX>")
    } else {
        None
    };
    if let Some(mask) = whole {
        out.extend_from_slice(mask);
        return false;
    }
    let number = number_len(core);
    if number > 0 {
        let suffix = &core[number..];
        if suffix.is_empty() || is_unit(suffix) {
            out.extend_from_slice(b"<NUM>");
            return true;
        }
        if suffix == b"%" {
            out.extend_from_slice(b"<NUM>%");
            return false;
        }
    }
    if core.iter().any(u8::is_ascii_digit) {
        out.extend_from_slice(b"<*>");
    } else {
        out.extend_from_slice(core);
    }
    false
}

/// Appends the template of `message` to `out`.
pub fn write(message: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let mut after_number = false;
    for token in message
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
    {
        if out.len() > start {
            out.push(b' ');
        }
        after_number = mask_token(token, after_number, out);
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
            ("slow query: 2.3s", "slow query: <NUM>"),
            (
                "Received block blk_-1608999687919862906 of size 91178 from /10.250.10.6",
                "Received block <BLK> of size <NUM> from <PATH>",
            ),
            (
                "connect to 10.250.19.102:50010 failed",
                "connect to <HOST> failed",
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
            // Ids inside tokens (Hadoop, Spark): masked whole.
            ("attempt_1445144423722_0020_000001  started", "<*> started"),
            (
                "Block rdd_42_3 stored as bytes in memory (estimated size 16.0 B, free 317.1 KB)",
                "Block <*> stored as bytes in memory (estimated size <NUM>, free <NUM>)",
            ),
            // Negative numbers (Spark), zero-padded hex (BlueGene/L).
            (
                "Times: total = 47, boot = -1, init = 48, finish = 0",
                "Times: total = <NUM>, boot = <NUM>, init = <NUM>, finish = <NUM>",
            ),
            ("iar 00106570 dear 0245a3f8", "iar <HEX> dear <HEX>"),
            // Host names and dates written out (Linux syslog).
            (
                "connection from 211.72.2.106 (csnsu.nsuok.edu) at Sun Jul 10 03:55:15 2005",
                "connection from <HOST> (<HOST>) at <*> <*> <NUM> <*> <NUM>",
            ),
            (
                "proxy.cse.cuhk.edu.hk:5070 open through proxy 211-76-104-65.ebix.net.tw",
                "<HOST> open through proxy <HOST>",
            ),
            (
                "mapred.task.id is deprecated. Instead, use mapreduce.task.attempt.id",
                "mapred.task.id is deprecated. Instead, use mapreduce.task.attempt.id",
            ),
            ("  spaced\tout  ", "spaced out"),
            // A name glued to its value keeps the name.
            (
                "onExtend:1514038530000 14 0 4",
                "onExtend:<NUM> <NUM> <NUM> <NUM>",
            ),
            (
                "ApplicableState: 112, CurrentState:112",
                "ApplicableState: <NUM>, CurrentState:<NUM>",
            ),
            ("at 12:01:01 on web.example.com:80", "at <*> on <HOST>"),
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
            let parsed = Line::new(line.as_bytes());
            let (_, level) = Detector::default().locate(&parsed);
            let source = level.and_then(|l| super::super::source::after_level(line.as_bytes(), l));
            String::from_utf8_lossy(message(&parsed, level, source)).into_owned()
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
