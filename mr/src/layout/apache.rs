//! Apache httpd's error log: `[Sun Dec 04 04:47:44 2005] [error] msg`
//! (2.2), and `[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid
//! 35708:tid 4328636416] [client 72.15.99.187:52271] msg` (2.4's default
//! ErrorLogFormat): a bracketed date that starts with a weekday and a
//! month, then bracketed groups (the level, with its module in 2.4; the
//! process and thread; the client), then the message.

use crate::civil::{MONTHS, WEEKDAYS};

/// Where the parts of an Apache error line are, as (start, end) offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApacheError {
    /// The module of a 2.4 `[module:level]` group.
    pub module: Option<(usize, usize)>,
    /// The client's address, without its port.
    pub client: Option<(usize, usize)>,
    /// Where the message starts.
    pub message: usize,
}

impl ApacheError {
    /// The line's source: its client, else its module.
    pub fn source(&self) -> Option<(usize, usize)> {
        self.client.or(self.module)
    }
}

/// The bracketed group at `at`, as (start, end) of its inside, and where
/// the text after it (and the spaces after that) starts.
fn group(line: &[u8], at: usize) -> Option<((usize, usize), usize)> {
    if line.get(at) != Some(&b'[') {
        return None;
    }
    let close = at + 1 + memchr::memchr(b']', &line[at + 1..])?;
    let mut next = close + 1;
    while line.get(next) == Some(&b' ') {
        next += 1;
    }
    Some(((at + 1, close), next))
}

/// The parts of an Apache error line, if `line` is one.
pub fn parse(line: &[u8]) -> Option<ApacheError> {
    let ((start, end), mut at) = group(line, 0)?;
    let date = &line[start..end];
    let named = |names: &[&str], from: usize| {
        date.get(from..from + 3)
            .is_some_and(|n| names.iter().any(|m| m.as_bytes() == n))
            && date.get(from + 3) == Some(&b' ')
    };
    if !named(&WEEKDAYS, 0) || !named(&MONTHS, 4) || !date.last()?.is_ascii_digit() {
        return None;
    }
    let ((level_start, level_end), next) = group(line, at)?;
    let level = &line[level_start..level_end];
    if level.is_empty()
        || !level
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_'))
    {
        return None;
    }
    at = next;
    let module = memchr::memchr(b':', level).map(|colon| (level_start, level_start + colon));
    let mut client = None;
    while let Some(((start, end), next)) = group(line, at) {
        let inside = &line[start..end];
        if inside.starts_with(b"pid ") {
            at = next;
        } else if let Some(address) = inside.strip_prefix(b"client ") {
            let from = start + 7;
            // An IPv4 address or a name with its :port; an IPv6 one keeps its colons.
            let port = match memchr::memrchr(b':', address) {
                Some(colon) if memchr::memchr(b':', &address[..colon]).is_none() => colon,
                _ => address.len(),
            };
            client = Some((from, from + port));
            at = next;
        } else {
            break;
        }
    }
    Some(ApacheError {
        module,
        client,
        message: at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(line: &str) -> Option<(Option<&str>, &str)> {
        let found = parse(line.as_bytes())?;
        Some((
            found.source().map(|(s, e)| &line[s..e]),
            &line[found.message..],
        ))
    }

    #[test]
    fn both_layouts_and_neighbours() {
        assert_eq!(
            parts("[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf"),
            Some((None, "workerEnv.init() ok /etc/httpd/conf"))
        );
        assert_eq!(
            parts("[Sun Dec 04 04:51:18 2005] [error] [client 1.2.3.4] Directory index forbidden"),
            Some((Some("1.2.3.4"), "Directory index forbidden"))
        );
        assert_eq!(
            parts(
                "[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] \
                 [client 72.15.99.187:52271] AH00128: File does not exist: /favicon.ico"
            ),
            Some((
                Some("72.15.99.187"),
                "AH00128: File does not exist: /favicon.ico"
            ))
        );
        assert_eq!(
            parts("[Fri Sep 09 10:42:29 2011] [mpm_event:notice] [pid 1:tid 2] AH00489: resuming"),
            Some((Some("mpm_event"), "AH00489: resuming"))
        );
        assert_eq!(
            parts("[Fri Sep 09 10:42:29 2011] [ssl:warn] [client ::1:58619] x"),
            Some((Some("::1:58619"), "x"))
        );
        for not_apache in [
            "[10.30 16:49:06] chrome.exe - proxy:5070 open",
            "[2024-12-10 14:33:21,978] INFO [x] y",
            "[Sun Dec 04 04:47:44 2005] no level group",
            "[Sunday Dec 04 04:47:44 2005] [error] x",
        ] {
            assert_eq!(parts(not_apache), None, "{not_apache}");
        }
    }
}
