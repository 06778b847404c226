//! What the ingest binaries' arguments share: the Kafka connection group
//! (`--brokers`, `--topic`, `-F`, `-X`, `--connect-timeout`) and the value
//! parsers. Each parser refuses, as bad usage (exit 2), what would
//! otherwise panic or wrap later: a number of seconds too large for the
//! clock, a topic name Kafka would not accept, a property without `=`.
//! librdkafka properties come from a file, the environment and `-X`
//! ([`crate::properties`]); no message ever shows a property's value.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use clap::builder::TypedValueParser;

use crate::{Error, Result};

/// How to reach Kafka: one group of arguments, flattened into each binary.
/// `--brokers` is optional here (`logmr-gen` writes to stdout without it);
/// a binary that needs it marks it required.
#[derive(Debug, Args)]
pub struct KafkaArgs {
    /// Kafka brokers, host:port,...
    #[arg(long, value_name = "LIST")]
    pub brokers: Option<String>,

    /// Kafka topic (one name; patterns are refused).
    #[arg(long, default_value = "logs_machine", value_parser = topic_name)]
    pub topic: String,

    /// librdkafka properties from FILE, KEY=VALUE lines (# comments), as
    /// kcat -F: the place for secrets (sasl.password, ...), which -X would
    /// show to every user of the machine.
    #[arg(
        short = 'F',
        long = "kafka-config",
        value_name = "FILE",
        env = "LOGMR_KAFKA_CONFIG"
    )]
    pub config: Option<PathBuf>,

    /// librdkafka property KEY=VALUE (repeatable), as with kcat: security,
    /// compression.type, linger.ms, acks, ... It wins over -F and over
    /// LOGMR_X_* variables (LOGMR_X_SASL_PASSWORD sets sasl.password).
    #[arg(short = 'X', value_name = "KEY=VALUE")]
    pub properties: Vec<String>,

    /// Seconds to wait for the brokers (and an HDFS store's NameNode) to
    /// answer at start.
    #[arg(long, value_name = "SECS", default_value = "10",
          value_parser = clap::value_parser!(u64).range(1..=86_400).map(Duration::from_secs))]
    pub connect_timeout: Duration,
}

impl KafkaArgs {
    /// The brokers, which a binary that needs them has made required.
    pub fn brokers(&self) -> Result<String> {
        self.brokers
            .clone()
            .ok_or_else(|| Error::Usage("give --brokers".into()))
    }

    /// The librdkafka properties: the file's, then the environment's, then
    /// `-X`'s, a later one winning.
    pub fn properties(&self) -> Result<Properties> {
        let env: Vec<(String, String)> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        Properties::gather(self.config.as_deref(), &env, &self.properties)
    }
}

pub use crate::properties::Properties;

/// The longest wait or run any option accepts: about 31 years. Beyond it a
/// deadline (`Instant + Duration`) can overflow.
pub const MAX_SECONDS: f64 = 1e9;

/// Seconds as a non-negative decimal number (`0.5`, `60`), at most
/// [`MAX_SECONDS`].
pub fn seconds(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(secs) if (0.0..=MAX_SECONDS).contains(&secs) => Ok(Duration::from_secs_f64(secs)),
        _ => Err(format!(
            "not a number of seconds from 0 to {MAX_SECONDS:e}: {text:?}"
        )),
    }
}

/// Like [`seconds`], but more than zero.
pub fn positive_seconds(text: &str) -> Result<Duration, String> {
    match seconds(text)? {
        d if d.is_zero() => Err(format!("must be more than 0 seconds: {text:?}")),
        d => Ok(d),
    }
}

/// A duration with a unit: `500ms`, `30s` (or `30`), `5m`, `1h`.
pub fn duration(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (num, unit) = text.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("not a duration: {text:?}"))?;
    let secs = match unit {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("not a duration: {text:?} (use ms, s, m or h)")),
    };
    if !(0.0..=MAX_SECONDS).contains(&secs) {
        return Err(format!(
            "not a duration from 0 to {MAX_SECONDS:e} seconds: {text:?}"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Longest topic name Kafka accepts.
const MAX_TOPIC_LEN: usize = 249;

/// A topic name by Kafka's rule: 1 to 249 characters of `[a-zA-Z0-9._-]`,
/// not `.` or `..`. The name becomes part of the store's file names, so
/// nothing else may pass: not a path (`../x`, `a/b`), not a subscription
/// pattern (`^logs.*`), which would mix topics in one store.
pub fn topic_name(text: &str) -> Result<String, String> {
    if text.starts_with('^') {
        return Err(format!(
            "{text:?} is a subscription pattern; give one topic name: each topic goes to a store of its own"
        ));
    }
    let valid = !text.is_empty()
        && text.len() <= MAX_TOPIC_LEN
        && text != "."
        && text != ".."
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !valid {
        return Err(format!(
            "{text:?} is not a Kafka topic name: 1 to {MAX_TOPIC_LEN} of the characters a-z A-Z 0-9 . _ -, and not . or .."
        ));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_and_durations_never_overflow_the_clock() {
        assert_eq!(seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(seconds("0"), Ok(Duration::ZERO));
        for bad in ["1e300", "inf", "NaN", "-1", "", "x"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
        assert!(positive_seconds("0").is_err());
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("2m"), Ok(Duration::from_secs(120)));
        assert!(duration("3d").is_err());
        assert!(duration("99999999999999999999999s").is_err());
        assert!(duration("1e5h").is_err());
        // Whatever is accepted can be added to now.
        let now = std::time::Instant::now();
        let _ = now + seconds(&MAX_SECONDS.to_string()).unwrap();
    }

    #[test]
    fn topic_names_follow_kafkas_rule() {
        for good in ["logs_machine", "a.b-c_1", &"x".repeat(249)] {
            assert_eq!(topic_name(good).as_deref(), Ok(good));
        }
        for bad in [
            "",
            ".",
            "..",
            "../evil",
            "a/b",
            "^logs.*",
            "a b",
            "é",
            &"x".repeat(250),
        ] {
            assert!(topic_name(bad).is_err(), "{bad}");
        }
    }
}
