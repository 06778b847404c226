//! Templates: a line's message with its variable parts masked, so that the
//! same event groups under one key whatever its numbers, ids and hosts.
//!
//! The message is the JSON `msg`/`message` value, the logfmt `msg=` value,
//! a syslog or logcat line's text after its tag, or the text after the
//! source or the level word when the level stands in the line's header. A
//! line whose level word is in its message, or that has none, loses its
//! header instead (see [`super::header`]): leading stamps, ids and names up
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

use crate::level::json;

use super::header;

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
        (Some((_, end)), None) => end,
        (None, Some((start, end))) if header::level_in_header(line, start) => {
            header::past_stamps(line, end)
        }
        (None, _) => header::message_start(line),
    };
    let rest = &line[past_open_groups(line, from)..];
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

pub(super) fn is_ipv4(t: &[u8]) -> bool {
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

/// Top-level domains that mark a dotted name as a host (`zummit.com`); a
/// name with a port needs none.
const DOMAINS: &[&[u8]] = &[
    b"com", b"net", b"org", b"edu", b"gov", b"mil", b"int", b"io", b"co", b"uk", b"de", b"fr",
    b"jp", b"cn", b"ru", b"hk", b"br", b"in", b"au", b"ca", b"nl", b"it", b"es", b"se", b"ch",
    b"info", b"biz", b"local", b"lan",
];

/// A host name, with a port or not: labels of letters, digits and `-`
/// joined by dots, ending in a known domain (`csnsu.nsuok.edu`), a country
/// under one (`211-76-104-65.ebix.net.tw`), or any lower-case label of two
/// to six letters when a port follows (`proxy.cse.cuhk.edu.hk:5070`). Java
/// names (`mapred.task.id`) and file names (`app.log`) end in no domain.
fn is_host(t: &[u8]) -> bool {
    if memchr::memchr(b'.', t).is_none() {
        return false;
    }
    let (name, port) = match t.iter().rposition(|&b| b == b':') {
        Some(at) => (&t[..at], Some(&t[at + 1..])),
        None => (t, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.iter().all(u8::is_ascii_digit)) {
        return false;
    }
    // The last two labels, and whether every label is made of letters,
    // digits and `-`, in one pass without allocating.
    let (mut count, mut before, mut last): (usize, &[u8], &[u8]) = (0, b"", b"");
    for label in name.split(|&b| b == b'.') {
        if label.is_empty()
            || !label
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return false;
        }
        count += 1;
        (before, last) = (last, label);
    }
    let country = last.len() == 2 && count >= 3 && DOMAINS.contains(&before);
    count >= 2
        && (2..=6).contains(&last.len())
        && last.iter().all(u8::is_ascii_lowercase)
        && (port.is_some() || DOMAINS.contains(&last) || country)
}

/// Day and month names, the variables of dates written out in messages
/// (`at Sun Jul 10 03:55:15 2005`). `May` is left alone: it is a word too.
fn is_date_name(t: &[u8]) -> bool {
    const NAMES: &[&[u8]] = &[
        b"Mon",
        b"Tue",
        b"Wed",
        b"Thu",
        b"Fri",
        b"Sat",
        b"Sun",
        b"Monday",
        b"Tuesday",
        b"Wednesday",
        b"Thursday",
        b"Friday",
        b"Saturday",
        b"Sunday",
        b"Jan",
        b"Feb",
        b"Mar",
        b"Apr",
        b"Jun",
        b"Jul",
        b"Aug",
        b"Sep",
        b"Oct",
        b"Nov",
        b"Dec",
        b"January",
        b"February",
        b"March",
        b"April",
        b"June",
        b"July",
        b"August",
        b"September",
        b"October",
        b"November",
        b"December",
    ];
    (3..=9).contains(&t.len()) && t[0].is_ascii_uppercase() && NAMES.contains(&t)
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
    // Six or more hex digits mixing digits and letters, or eight or more
    // zero-padded (a register or address dump: `00106570` beside `0245a3f8`).
    t.len() >= 6
        && t.iter().all(|&b| is_hex(b))
        && t.iter().any(u8::is_ascii_digit)
        && (t.iter().any(u8::is_ascii_alphabetic) || (t.len() >= 8 && t[0] == b'0'))
}

/// Units written after a number (`2.3s`, `512 KB`), masked with it so that
/// sizes and durations in any unit group together.
const UNITS: &[&[u8]] = &[
    b"b", b"kb", b"mb", b"gb", b"tb", b"pb", b"kib", b"mib", b"gib", b"tib", b"k", b"m", b"g",
    b"ms", b"us", b"ns", b"s", b"sec", b"secs", b"min", b"mins", b"h",
];

fn is_unit(t: &[u8]) -> bool {
    UNITS.iter().any(|u| u.eq_ignore_ascii_case(t))
}

/// The length of a number at the start of `t`: an optional `-`, digits,
/// and decimals.
fn number_len(t: &[u8]) -> usize {
    let sign = usize::from(t.first() == Some(&b'-'));
    let mut i = sign;
    while i < t.len()
        && (t[i].is_ascii_digit()
            || (t[i] == b'.' && i > sign && t.get(i + 1).is_some_and(u8::is_ascii_digit)))
    {
        i += 1;
    }
    if i > sign && t[sign].is_ascii_digit() {
        i
    } else {
        0
    }
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
    let number = match core.iter().position(|&b| b == b'=') {
        Some(eq) if eq > 0 && !is_path(core) => {
            out.extend_from_slice(&core[..=eq]);
            mask_value(&core[eq + 1..], out);
            false
        }
        _ => mask_value(core, out),
    };
    out.extend_from_slice(&body[body.len() - trail..]);
    number && trail == 0
}

/// Appends `core`, a token without its punctuation, masked: whole tokens
/// that are UUIDs, addresses, block ids, paths or hex numbers by their
/// kind; a number (signed, with decimals, with a unit or `%` after it) as
/// `<NUM>` (and its `%`); any other token holding a digit, an id such as
/// `rdd_12_3` or `node-246`, as `<*>`. True when it was a bare number.
fn mask_value(core: &[u8], out: &mut Vec<u8>) -> bool {
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
