//! The Hadoop Streaming contract as seen from inside a task: job settings
//! arrive as environment variables (`stream.map.output.field.separator`
//! becomes `stream_map_output_field_separator`), and counters and status go
//! to stderr as `reporter:counter:GROUP,COUNTER,AMOUNT` and
//! `reporter:status:MESSAGE` lines.

use std::io::{self, Write};

/// Counter group of every logmr counter.
pub const COUNTER_GROUP: &str = "logmr";

/// Environment variable with the map output separator.
pub const ENV_MAP_OUTPUT_SEPARATOR: &str = "stream_map_output_field_separator";
/// Environment variable with the separator of the reducer's input.
pub const ENV_REDUCE_INPUT_SEPARATOR: &str = "stream_reduce_input_field_separator";
/// Environment variable with the reduce output separator.
pub const ENV_REDUCE_OUTPUT_SEPARATOR: &str = "stream_reduce_output_field_separator";

/// Variables that Hadoop sets in every streaming task.
const TASK_MARKERS: &[&str] = &[
    "mapreduce_task_attempt_id",
    "mapreduce_task_id",
    "mapred_task_id",
];

/// True when running as a Hadoop Streaming task.
pub fn in_hadoop_task() -> bool {
    TASK_MARKERS.iter().any(|v| std::env::var_os(v).is_some())
}

/// True inside a map task (`mapreduce_task_ismap=true`), where a reduce
/// program can only be the combiner. Combiner runs during a reduce task's
/// merge of map outputs are not told apart from the reducer.
pub fn in_map_task() -> bool {
    std::env::var_os("mapreduce_task_ismap").is_some_and(|v| v == "true")
}

/// The separator a job setting gives, from its environment variable:
/// Hadoop passes the configured string literally and splits on exactly
/// those bytes, so no escape is interpreted here (`\t` is a backslash and a
/// `t`, as it is to Hadoop). `None` when the variable is not set.
pub fn separator_from_env(variable: &str) -> Option<Result<Vec<u8>, String>> {
    let value = std::env::var_os(variable)?;
    let bytes = value.into_encoded_bytes();
    Some(check_separator(bytes).map_err(|e| format!("{variable}: {e}")))
}

fn check_separator(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    if bytes.is_empty() {
        return Err("the separator must not be empty".to_string());
    }
    if bytes.contains(&b'\n') {
        return Err("the separator must not contain a newline".to_string());
    }
    // Counts are digits: a separator with one would be found inside a
    // count (`INFO 13` read as `INFO1` and `3`).
    if bytes.iter().any(u8::is_ascii_digit) {
        return Err("the separator must not contain a digit".to_string());
    }
    Ok(bytes)
}

/// Parses a separator given on the command line, where the escapes `\t`,
/// `\\` and `\xHH` are understood, so `--separator '\t'` means TAB. Job
/// settings are literal: see [`separator_from_env`].
pub fn parse_separator(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b't') => out.push(b'\t'),
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') => {
                let hex: Vec<u8> = bytes.by_ref().take(2).collect();
                let byte = std::str::from_utf8(&hex)
                    .ok()
                    .filter(|h| h.len() == 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad \\x escape in separator {text:?}"))?;
                out.push(byte);
            }
            Some(other) => {
                out.push(b'\\');
                out.push(other);
            }
            None => out.push(b'\\'),
        }
    }
    check_separator(out)
}

/// Writes counters and status lines for Hadoop, or nothing when disabled.
#[derive(Debug, Clone, Copy)]
pub struct Reporter {
    enabled: bool,
}

impl Reporter {
    pub fn new(enabled: bool) -> Reporter {
        Reporter { enabled }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// `reporter:counter:logmr,NAME,AMOUNT`.
    pub fn counter(&self, name: &str, amount: u64) {
        if self.enabled {
            emit(format_args!(
                "reporter:counter:{COUNTER_GROUP},{name},{amount}\n"
            ));
        }
    }

    /// `reporter:status:MESSAGE`.
    pub fn status(&self, message: &str) {
        if self.enabled {
            emit(format_args!("reporter:status:{message}\n"));
        }
    }
}

/// Writes one whole line to stderr. A failure to report is not worth
/// failing the task for: the data path is stdout.
fn emit(line: std::fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators() {
        assert_eq!(parse_separator("\t").unwrap(), b"\t");
        assert_eq!(parse_separator("\\t").unwrap(), b"\t");
        assert_eq!(parse_separator(",").unwrap(), b",");
        assert_eq!(parse_separator("::").unwrap(), b"::");
        assert_eq!(parse_separator("\\x01").unwrap(), b"\x01");
        assert_eq!(parse_separator("\\q").unwrap(), b"\\q");
        assert!(parse_separator("").is_err());
        assert!(parse_separator("\\xZ").is_err());
        assert!(parse_separator("\n").is_err());
    }
}
