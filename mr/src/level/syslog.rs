//! Syslog lines that carry their priority, `<PRI>` (RFC 3164 and RFC 5424).

use super::table::Level;

/// The severity encoded in a leading `<PRI>`, where PRI is 0 to 191.
#[inline]
pub fn pri_level(line: &[u8]) -> Option<Level> {
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
    Level::from_syslog_severity((pri % 8) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pri() {
        assert_eq!(
            pri_level(b"<34>1 2003-10-11T22:14:15.003Z host su - - x"),
            Some(Level::Critical)
        );
        assert_eq!(
            pri_level(b"<13>Dec 10 14:33:21 host app: x"),
            Some(Level::Notice)
        );
        assert_eq!(pri_level(b"<0>x"), Some(Level::Emerg));
        assert_eq!(pri_level(b"<191>x"), Some(Level::Debug));
        assert_eq!(pri_level(b"<192>x"), None);
        assert_eq!(pri_level(b"<>x"), None);
        assert_eq!(pri_level(b"<html>"), None);
        assert_eq!(pri_level(b"<1234>"), None);
    }
}
