//! Sizes and counts as people write and read them: `64M` on a command
//! line (powers of 1024 for bytes, of 1000 for counts), `1.5 KiB` in a
//! message.

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
    fn human() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }
}
