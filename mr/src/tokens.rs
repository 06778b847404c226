//! What a token of a log line is, by its bytes alone (numbers, stamps,
//! addresses, ids, paths, units), and where tokens and bracketed groups
//! end. Layout recognition and the key makers read these; no layout is
//! known here.

/// The end of the token that starts at `start`: the next space or TAB.
pub(crate) fn token_end(line: &[u8], start: usize) -> usize {
    start
        + line[start..]
            .iter()
            .take_while(|b| !matches!(b, b' ' | b'\t'))
            .count()
}

/// Past the spaces and TABs from `i` on.
pub(crate) fn skip_spaces(line: &[u8], mut i: usize) -> usize {
    while line.get(i).is_some_and(|b| matches!(b, b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// The index past the bracketed group that opens at `open`, nested
/// brackets included.
pub(crate) fn past_group(line: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &b) in line.iter().enumerate().skip(open) {
        match b {
            b'[' | b'(' => depth += 1,
            b']' | b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// A number, date or time: digits with separators, perhaps in brackets
/// (`1077804742`, `2005.06.03`, `[10.30`, `16:49:06]`).
pub(crate) fn is_stamp(t: &[u8]) -> bool {
    t.iter().any(u8::is_ascii_digit)
        && t.iter().all(|&b| {
            b.is_ascii_digit()
                || matches!(
                    b,
                    b':' | b'.'
                        | b','
                        | b'-'
                        | b'/'
                        | b'+'
                        | b'T'
                        | b'Z'
                        | b'['
                        | b']'
                        | b'('
                        | b')'
                )
        })
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// A UUID: 8-4-4-4-12 hex digits.
pub(crate) fn is_uuid(t: &[u8]) -> bool {
    t.len() == 36
        && t.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => is_hex(b),
        })
}

/// An IPv4 address, with a port or not (`10.250.19.102:50010`).
pub(crate) fn is_ipv4(t: &[u8]) -> bool {
    if !t.first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
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
pub(crate) fn is_host(t: &[u8]) -> bool {
    // Tokens are short: a plain loop beats memchr's setup.
    if !t.contains(&b'.') {
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
pub(crate) fn is_date_name(t: &[u8]) -> bool {
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

/// A Unix or Windows path, or a URL.
pub(crate) fn is_path(t: &[u8]) -> bool {
    let unix = t.len() > 1 && t[0] == b'/';
    let windows = t.len() > 3 && t[0].is_ascii_alphabetic() && &t[1..3] == b":\\";
    let url = memchr::memchr_iter(b':', t).any(|at| t[at + 1..].starts_with(b"//"));
    unix || windows || url
}

/// An HDFS block id (`blk_-1608999687919862906`).
pub(crate) fn is_block(t: &[u8]) -> bool {
    let digits = t
        .strip_prefix(b"blk_")
        .map(|d| d.strip_prefix(b"-").unwrap_or(d));
    digits.is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
}

/// A hex number: `0x…`, six or more hex digits mixing digits and
/// letters, or eight or more zero-padded.
pub(crate) fn is_hex_number(t: &[u8]) -> bool {
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

/// A unit after a number (see [`UNITS`]).
pub(crate) fn is_unit(t: &[u8]) -> bool {
    UNITS.iter().any(|u| u.eq_ignore_ascii_case(t))
}

/// The length of a number at the start of `t`: an optional `-`, digits,
/// and decimals.
pub(crate) fn number_len(t: &[u8]) -> usize {
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
