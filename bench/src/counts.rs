//! Turns each tool's output into per-level counts, so that tools can be
//! checked against each other and against the corpus's ground truth.

use std::collections::BTreeMap;

/// Per-level counts.
pub type Counts = BTreeMap<String, u64>;

/// How to read a row's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parse {
    /// The row does not count levels (`wc -l`, `cat`).
    None,
    /// `KEY<TAB>COUNT` (or `KEY COUNT`) lines.
    KeyCount,
    /// `KEY<TAB>COUNT` lines of composite keys, summed by their first part
    /// (before the first `|`).
    FirstPart,
    /// `uniq -c` lines: `COUNT [KEY]`.
    UniqC,
    /// A bare count of the one level named.
    Single(&'static str),
}

/// The counts in `output`, or a description of what could not be read.
pub fn parse(how: Parse, output: &str) -> Result<Option<Counts>, String> {
    let mut counts = Counts::new();
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("not a count: {s:?}"))
    };
    match how {
        Parse::None => return Ok(None),
        Parse::Single(key) => {
            counts.insert(key.to_string(), number(output)?);
        }
        Parse::KeyCount | Parse::FirstPart | Parse::UniqC => {
            for line in output.lines().filter(|l| !l.trim().is_empty()) {
                let (key, n) = if how != Parse::UniqC {
                    let (k, n) = line
                        .rsplit_once(['\t', ' '])
                        .ok_or_else(|| format!("not KEY COUNT: {line:?}"))?;
                    (k.trim(), number(n)?)
                } else {
                    let (n, k) = line
                        .trim_start()
                        .split_once(' ')
                        .ok_or_else(|| format!("not COUNT KEY: {line:?}"))?;
                    (k.trim(), number(n)?)
                };
                let key = match how {
                    Parse::FirstPart => key.split('|').next().unwrap_or(key),
                    _ => key,
                };
                let key = key.trim_start_matches('[').trim_end_matches(']');
                *counts.entry(key.to_string()).or_default() += n;
            }
        }
    }
    Ok(Some(counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let want: Counts = [("ERROR".to_string(), 2), ("INFO".to_string(), 5)].into();
        assert_eq!(
            parse(Parse::KeyCount, "ERROR\t2\nINFO\t5\n").unwrap(),
            Some(want.clone())
        );
        assert_eq!(
            parse(Parse::KeyCount, "INFO 5\nERROR 2\n").unwrap(),
            Some(want.clone())
        );
        assert_eq!(
            parse(Parse::UniqC, "      2 [ERROR]\n      5 [INFO]\n").unwrap(),
            Some(want.clone())
        );
        assert_eq!(
            parse(Parse::Single("ERROR"), "7\n").unwrap(),
            Some([("ERROR".to_string(), 7)].into())
        );
        assert_eq!(
            parse(
                Parse::FirstPart,
                "ERROR|2024-12-10T14\t1\nERROR|2024-12-10T15\t1\nINFO|-\t5\n"
            )
            .unwrap(),
            Some(want)
        );
        assert_eq!(parse(Parse::None, "123 file").unwrap(), None);
        assert!(parse(Parse::KeyCount, "garbage").is_err());
        assert!(parse(Parse::Single("ERROR"), "x").is_err());
    }
}
