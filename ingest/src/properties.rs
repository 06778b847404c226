//! librdkafka properties from the three places a user gives them, each
//! later one winning: a file (`-F FILE`, or `LOGMR_KAFKA_CONFIG`, as kcat's
//! `-F`), the environment (`LOGMR_X_SASL_PASSWORD=…` sets `sasl.password`)
//! and `-X KEY=VALUE`. A file or a variable keeps a secret out of
//! `/proc/PID/cmdline`, which every user of the machine can read.
//!
//! No message shows a value: a line or an argument that cannot be parsed
//! is named by its place (file and line, variable, `-X` and its position).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The prefix of the variables that set librdkafka properties.
pub const ENV_PREFIX: &str = "LOGMR_X_";

/// Where a property was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A line of a properties file (1-based).
    File { path: PathBuf, line: usize },
    /// An environment variable.
    Env(String),
    /// The N-th `-X` (1-based).
    Arg(usize),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File { path, line } => write!(f, "{} line {line}", path.display()),
            Source::Env(name) => f.write_str(name),
            Source::Arg(n) => write!(f, "-X number {n}"),
        }
    }
}

/// One property and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    pub key: String,
    pub value: String,
    pub source: Source,
}

/// The properties in the order they apply: set them one after the other.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Properties(Vec<Property>);

/// Whether a property's value is a secret: a password, a key, a token.
pub fn is_secret(key: &str) -> bool {
    [
        "password",
        "secret",
        "token",
        "jaas",
        ".pem",
        "key.location",
    ]
    .iter()
    .any(|part| key.contains(part))
        || key == "ssl.key"
        || key.starts_with("sasl.oauthbearer.config")
}

/// `KEY=VALUE`, the key trimmed (the value may hold `=`), or `None`.
fn split(text: &str) -> Option<(String, String)> {
    let (key, value) = text.split_once('=')?;
    let key = key.trim();
    (!key.is_empty()).then(|| (key.to_string(), value.to_string()))
}

impl Properties {
    /// The properties of `file` (if any), of the `LOGMR_X_*` variables of
    /// `env` (in name order) and of `args` (each `KEY=VALUE`), in that order.
    pub fn gather(file: Option<&Path>, env: &[(String, String)], args: &[String]) -> Result<Self> {
        let mut all = Vec::new();
        if let Some(path) = file {
            all.extend(read_file(path)?);
        }
        let mut vars: Vec<&(String, String)> = env
            .iter()
            .filter(|(name, _)| name.starts_with(ENV_PREFIX))
            .collect();
        vars.sort();
        for (name, value) in vars {
            let key = name[ENV_PREFIX.len()..]
                .to_ascii_lowercase()
                .replace('_', ".");
            if key.is_empty() {
                return Err(Error::Usage(format!("{name} names no property")));
            }
            all.push(Property {
                key,
                value: value.clone(),
                source: Source::Env(name.clone()),
            });
        }
        for (i, arg) in args.iter().enumerate() {
            let source = Source::Arg(i + 1);
            let (key, value) = split(arg).ok_or_else(|| {
                Error::Usage(format!(
                    "{source} is not KEY=VALUE (not shown: it may hold a secret)"
                ))
            })?;
            all.push(Property { key, value, source });
        }
        Ok(Properties(all))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every property, in the order they apply.
    pub fn iter(&self) -> impl Iterator<Item = &Property> {
        self.0.iter()
    }

    /// Where the property that wins for `key` was given.
    pub fn source_of(&self, key: &str) -> Option<&Source> {
        self.0
            .iter()
            .rev()
            .find(|p| p.key == key)
            .map(|p| &p.source)
    }

    /// Sets every property on `config`, in order.
    pub fn apply(&self, config: &mut rdkafka::config::ClientConfig) {
        for p in &self.0 {
            config.set(&p.key, &p.value);
        }
    }
}

/// The properties of a file: `KEY=VALUE` lines; blank lines and lines
/// starting with `#` are skipped; a CR before the newline is dropped. A
/// file that holds a secret and that other users can read gets a warning.
fn read_file(path: &Path) -> Result<Vec<Property>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::io(
            format!("cannot read the Kafka properties {}", path.display()),
            e,
        )
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let source = Source::File {
            path: path.to_path_buf(),
            line: i + 1,
        };
        let (key, value) = split(trimmed).ok_or_else(|| {
            Error::Usage(format!(
                "{source} is not KEY=VALUE (not shown: it may hold a secret)"
            ))
        })?;
        out.push(Property { key, value, source });
    }
    if let Some(secret) = out.iter().find(|p| is_secret(&p.key)) {
        warn_if_readable(path, &secret.key);
    }
    Ok(out)
}

#[cfg(unix)]
fn warn_if_readable(path: &Path, key: &str) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            eprintln!(
                "warning: {} holds {key} and other users can read it (mode {mode:03o}): chmod 600 {}",
                path.display(),
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable(_: &Path, _: &str) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(p: &Properties) -> Vec<(&str, &str)> {
        p.iter()
            .map(|p| (p.key.as_str(), p.value.as_str()))
            .collect()
    }

    #[test]
    fn file_then_environment_then_arguments() {
        let dir = logmr_harness::TempDir::new("properties");
        let file = dir.join("kafka.properties");
        std::fs::write(
            &file,
            "# comment\n\nsecurity.protocol=SASL_SSL\r\n  sasl.password = a=b \nlinger.ms=5\n",
        )
        .unwrap();
        let env = vec![
            ("LOGMR_X_LINGER_MS".to_string(), "7".to_string()),
            ("LOGMR_KAFKA_BROKERS".to_string(), "x:1".to_string()),
        ];
        let args = vec!["linger.ms=9".to_string()];
        let p = Properties::gather(Some(&file), &env, &args).unwrap();
        assert_eq!(
            keys(&p),
            [
                ("security.protocol", "SASL_SSL"),
                ("sasl.password", " a=b "),
                ("linger.ms", "5"),
                ("linger.ms", "7"),
                ("linger.ms", "9"),
            ]
        );
        assert_eq!(p.source_of("linger.ms"), Some(&Source::Arg(1)));
        assert_eq!(
            p.source_of("sasl.password").unwrap().to_string(),
            format!("{} line 4", file.display())
        );
        let mut config = rdkafka::config::ClientConfig::new();
        p.apply(&mut config);
        assert_eq!(config.get("linger.ms"), Some("9"));
    }

    #[test]
    fn a_bad_line_or_argument_is_named_never_shown() {
        let dir = logmr_harness::TempDir::new("properties-bad");
        let file = dir.join("kafka.properties");
        std::fs::write(&file, "a=1\nsasl.password:s3cr3tXYZ\n").unwrap();
        let e = Properties::gather(Some(&file), &[], &[]).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(!e.to_string().contains("s3cr3tXYZ"), "{e}");
        for bad in ["sasl.password:s3cr3tXYZ", "=s3cr3tXYZ"] {
            let e = Properties::gather(None, &[], &["a=1".into(), bad.into()]).unwrap_err();
            assert_eq!(e.exit_code(), crate::error::EXIT_USAGE);
            assert!(e.to_string().contains("-X number 2"), "{e}");
            assert!(!e.to_string().contains("s3cr3tXYZ"), "{e}");
        }
        let e = Properties::gather(None, &[("LOGMR_X_".into(), "v".into())], &[]).unwrap_err();
        assert!(e.to_string().contains("LOGMR_X_"), "{e}");
    }

    #[test]
    fn secrets_are_known_by_their_keys() {
        for key in [
            "sasl.password",
            "ssl.key.password",
            "ssl.keystore.password",
            "sasl.oauthbearer.client.secret",
            "ssl.key.pem",
            "ssl.key.location",
            "sasl.oauthbearer.config",
        ] {
            assert!(is_secret(key), "{key}");
        }
        for key in ["sasl.username", "security.protocol", "ssl.ca.location"] {
            assert!(!is_secret(key), "{key}");
        }
    }
}
