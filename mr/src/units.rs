//! Numbers as people write and read them: sizes and counts on a command
//! line (`64M`: powers of 1024 for bytes, of 1000 for counts), `1.5 KiB`
//! in a message, and the decimal digits of an integer, zero-padded, for
//! output that is written byte by byte.

/// A size in bytes with an optional `K`, `M` or `G` suffix (powers of
/// 1024, either case); zero, and sizes past 64 bits, are refused.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let (digits, unit) = split_suffix(text, 1 << 10);
    match digits.parse::<u64>().ok().and_then(|n| n.checked_mul(unit)) {
        Some(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "expected a positive size such as 64M, got {text:?}"
        )),
    }
}

/// A count with an optional `K`, `M` or `G` suffix (thousands, millions,
/// billions), refused when it does not fit 64 bits.
pub fn parse_count(text: &str) -> Result<u64, String> {
    let (digits, unit) = split_suffix(text, 1000);
    let n = digits
        .parse::<u64>()
        .map_err(|_| format!("not a count: {text:?}"))?;
    n.checked_mul(unit)
        .ok_or_else(|| format!("too large a count: {text:?}"))
}

/// The digits of `text` and the multiplier of its suffix: `K`, `M` or `G`
/// (either case) for `base`, `base`² or `base`³.
fn split_suffix(text: &str, base: u64) -> (&str, u64) {
    let power = match text.as_bytes().last() {
        Some(b'K' | b'k') => 1,
        Some(b'M' | b'm') => 2,
        Some(b'G' | b'g') => 3,
        _ => return (text, 1),
    };
    (&text[..text.len() - 1], base.pow(power))
}

/// The decimal digits of an integer, formatted without allocating.
#[derive(Clone, Copy, Debug)]
pub struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

/// The decimal digits of `n`, zero-padded to at least `width` digits (up
/// to 20, the most a `u64` has).
#[inline]
pub fn digits(n: u64, width: usize) -> Digits {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    let mut rest = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    Digits {
        buf,
        start: i.min(buf.len() - width.min(buf.len())),
    }
}

/// Appends the decimal digits of `n` to `out`, zero-padded to at least
/// `width` digits ([`digits`]).
pub fn push_padded(out: &mut Vec<u8>, n: u64, width: usize) {
    out.extend_from_slice(digits(n, width).as_bytes());
}

/// Appends the last `width` decimal digits of `n`, zero-padded: for the
/// fixed-width fields of dates and times, on the per-line path.
#[inline(always)]
pub fn push_fixed(out: &mut Vec<u8>, n: u32, width: u32) {
    for i in (0..width).rev() {
        out.push(b'0' + (n / 10u32.pow(i) % 10) as u8);
    }
}

/// `1536` → `1.5 KiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("2k"), Ok(2048));
        assert_eq!(parse_size("3G"), Ok(3 << 30));
        assert_eq!(parse_size("4096"), Ok(4096));
        for bad in ["0", "0K", "", "M", "1.5M", "-1", "99999999999G", "1T"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("2M"), Ok(2_000_000));
        assert_eq!(parse_count("5k"), Ok(5000));
        assert_eq!(parse_count("0"), Ok(0));
        assert_eq!(parse_count("18446744073G"), Ok(18_446_744_073_000_000_000));
        assert!(parse_count("18446744074G").is_err());
        assert_eq!(
            parse_count("20000000000G"),
            Err("too large a count: \"20000000000G\"".into())
        );
        assert!(parse_count("x").is_err());
    }

    #[test]
    fn digits_are_decimal_and_padded() {
        assert_eq!(digits(0, 1).as_bytes(), b"0");
        assert_eq!(digits(7, 4).as_bytes(), b"0007");
        assert_eq!(digits(12345, 2).as_bytes(), b"12345");
        assert_eq!(digits(u64::MAX, 1).as_bytes(), b"18446744073709551615");
        assert_eq!(digits(5, 30).as_bytes(), b"00000000000000000005");
    }

    proptest::proptest! {
        #[test]
        fn digits_are_what_format_writes(n: u64, small in 0u64..100_000, width in 0usize..22) {
            for n in [n, small] {
                let want = format!("{n:0width$}", width = width.min(20));
                let got = digits(n, width);
                proptest::prop_assert_eq!(got.as_bytes(), want.as_bytes());
                let mut pushed = b"x".to_vec();
                push_padded(&mut pushed, n, width);
                proptest::prop_assert_eq!(&pushed[1..], want.as_bytes());
                if width <= 9 && n < 10u64.pow(width as u32) {
                    let mut fixed = Vec::new();
                    push_fixed(&mut fixed, n as u32, width as u32);
                    proptest::prop_assert_eq!(&fixed[..], want.as_bytes());
                }
            }
        }
    }

    #[test]
    fn human() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }
}
