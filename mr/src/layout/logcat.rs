//! Android logcat, whose level column is a single letter: the `threadtime`
//! layout (`MM-DD HH:MM:SS.mmm  PID  TID L TAG: msg`, optionally with a year),
//! the `time` layout (`MM-DD HH:MM:SS.mmm L/TAG(PID): msg`) and the `brief`
//! layout (`L/TAG(PID): msg`).

/// The priority letters of logcat: Verbose, Debug, Info, Warn, Error,
/// Fatal and Assert.
pub const LETTERS: &[u8] = b"VDIWEFA";

fn priority(letter: u8) -> Option<u8> {
    LETTERS.contains(&letter).then_some(letter)
}

fn is_digits(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_digit)
}

/// Matches `MM-DD HH:MM:SS.mmm` and returns what follows it.
#[inline(always)]
fn strip_timestamp(line: &[u8]) -> Option<&[u8]> {
    let line = match line {
        [y0, y1, y2, y3, b'-', _, _, b'-', ..] if is_digits(&[*y0, *y1, *y2, *y3]) => &line[5..],
        _ => line,
    };
    match line {
        [
            m0,
            m1,
            b'-',
            d0,
            d1,
            b' ',
            h0,
            h1,
            b':',
            i0,
            i1,
            b':',
            s0,
            s1,
            b'.',
            f0,
            f1,
            f2,
            rest @ ..,
        ] if is_digits(&[
            *m0, *m1, *d0, *d1, *h0, *h1, *i0, *i1, *s0, *s1, *f0, *f1, *f2,
        ]) =>
        {
            Some(rest)
        }
        _ => None,
    }
}

#[inline(always)]
fn skip_spaces(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|&&b| b == b' ').count();
    &bytes[n..]
}

/// One or more spaces, then one or more digits; returns what follows.
#[inline(always)]
fn spaced_number(bytes: &[u8]) -> Option<&[u8]> {
    let rest = skip_spaces(bytes);
    if rest.len() == bytes.len() {
        return None;
    }
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    (n > 0).then(|| &rest[n..])
}

/// `L/` at the start of `bytes`.
#[inline(always)]
fn letter_slash(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [letter, b'/', ..] => priority(*letter),
        _ => None,
    }
}

/// The priority letter of a logcat line (one of [`LETTERS`]), if the line
/// is in a logcat layout.
#[inline(always)]
pub fn priority_letter(line: &[u8]) -> Option<u8> {
    if line.len() < 2 {
        return None;
    }
    if line[1] == b'/' {
        return letter_slash(line);
    }
    if !line[0].is_ascii_digit() {
        return None;
    }
    // Cheap rejection first: the `.` before the milliseconds and the `-`
    // between month and day, with or without a year in front.
    let year = if line.get(4) == Some(&b'-') { 5 } else { 0 };
    if line.get(year + 14) != Some(&b'.') || line[year + 2] != b'-' {
        return None;
    }
    let rest = strip_timestamp(line)?;
    if let Some(level) = letter_slash(skip_spaces(rest)) {
        return Some(level);
    }
    let rest = spaced_number(rest)?;
    let rest = spaced_number(rest)?;
    let rest = skip_spaces(rest);
    match rest {
        [letter, b' ', ..] | [letter] => priority(*letter),
        _ => None,
    }
}

/// Where the tag of a logcat line starts, and the `:` that ends the tag
/// part (`… PID TID L TAG: msg` or `L/TAG(PID): msg`).
fn tag_part(line: &[u8]) -> Option<(usize, usize)> {
    if line.get(1) == Some(&b'/') {
        return Some((2, memchr::memchr(b':', line)?));
    }
    // The tag follows the first ` L ` or ` L/` after the timestamp.
    let at =
        line.windows(3).skip(18).position(|w| {
            w[0] == b' ' && w[1].is_ascii_uppercase() && matches!(w[2], b' ' | b'/')
        })? + 18
            + 3;
    Some((at, at + memchr::memchr(b':', &line[at..])?))
}

/// The tag of a logcat line, a line that [`priority_letter`] accepts.
pub fn tag(line: &[u8]) -> Option<&[u8]> {
    let (at, colon) = tag_part(line)?;
    let tag = line[at..colon].trim_ascii();
    let tag = tag.split(|&b| b == b'(').next().unwrap_or(tag);
    (!tag.is_empty()).then_some(tag)
}

/// Where the message of a logcat line starts: past the `:` after its tag.
pub fn message_start(line: &[u8]) -> Option<usize> {
    tag_part(line).map(|(_, colon)| colon + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        let cases: &[(&str, Option<u8>)] = &[
            (
                "03-17 16:13:38.811  1702  2395 D WindowManager: x",
                Some(b'D'),
            ),
            (
                "03-17 16:13:38.811  1702  8671 E PowerManager: E x",
                Some(b'E'),
            ),
            ("2024-03-17 16:13:38.811  1702  2395 W Tag: x", Some(b'W')),
            ("03-17 16:13:38.811 V/Tag( 1702): x", Some(b'V')),
            ("I/ActivityManager(  585): Start proc", Some(b'I')),
            ("F/libc    ( 1234): Fatal signal 11", Some(b'F')),
            ("2024-12-10 14:33:21 [INFO] machine-07: x", None),
            ("03-17 16:13:38.811  1702  2395 X Tag: x", None),
            ("03-17 16:13:38.811  1702  2395 d Tag: x", None),
            ("a/b", None),
            ("", None),
        ];
        for (line, want) in cases {
            assert_eq!(priority_letter(line.as_bytes()), *want, "{line}");
        }
    }
}
