//! Command-line arguments of `logmr-gen`.

use std::path::PathBuf;

use clap::Parser;
use ingest::generator::DEFAULT_WEIGHTS;

const AFTER_HELP: &str = "\
Examples:
  logmr-gen --count 1000                              # to stdout, like the original
  logmr-gen --count 10M --format json -o logs.json.gz # a gzip file
  logmr-gen --brokers localhost:9092 --rate 500       # to Kafka topic logs_machine, forever
  logmr-gen --brokers b1:9093 -F kafka.properties --count 1000  # SASL_SSL: see below

-F FILE (or LOGMR_KAFKA_CONFIG) reads librdkafka properties, KEY=VALUE lines
such as security.protocol=SASL_SSL, sasl.mechanisms=SCRAM-SHA-512,
sasl.username, sasl.password and ssl.ca.location; keep it mode 0600. Then
LOGMR_X_* variables (LOGMR_X_SASL_PASSWORD sets sasl.password), then -X,
which every user of the machine can read: no secret in -X.

With --seed and a fixed --start, the output is the same byte for byte on
every run. --summary FILE writes the per-level counts of what was generated
as `logmr reduce` prints them, so a pipeline's result can be compared with it.

Exit codes: 0 success (also when stdout's reader goes away), 1 a fatal error
(I/O, brokers unreachable, topic problems), 2 bad arguments, 3 lines are
missing: some messages were not delivered, or the brokers went away and the
generator stopped early, 5 the brokers refused the credentials or the
certificate. SIGINT or SIGTERM stops generating, flushes what was
produced and reports; a second signal exits at once.";

/// Generate machine logs to stdout, a file, or a Kafka topic.
#[derive(Debug, Parser)]
#[command(name = "logmr-gen", version, after_long_help = AFTER_HELP)]
pub struct Args {
    /// Layout of the lines: seed (the original generator's), log4j, hdfs,
    /// kafka, python, json, logfmt, logcat, apache, syslog, cbs, bgl, or
    /// mixed (a layout chosen per line).
    #[arg(long, default_value = "seed")]
    pub format: String,

    /// Level mix as KEY=WEIGHT pairs, keys as `logmr map` prints them.
    #[arg(long, value_name = "WEIGHTS", default_value = DEFAULT_WEIGHTS)]
    pub levels: String,

    /// Number of machines, 1 to 99: machine-01 to machine-N (the Kafka key).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=99))]
    pub machines: u32,

    /// Timestamp of the first line: `now`, or YYYY-MM-DD HH:MM:SS[.mmm] (UTC).
    #[arg(long, default_value = "now")]
    pub start: String,

    /// Milliseconds between the timestamps of consecutive lines (at most
    /// 86400000, a day).
    #[arg(long, value_name = "MS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(0..=86_400_000))]
    pub interval_ms: u64,

    /// Seed of the random choices; random when not given.
    #[arg(long)]
    pub seed: Option<u64>,

    /// Stop after N lines (K, M and G suffixes allowed).
    #[arg(short = 'n', long, value_name = "N", value_parser = logmr::units::parse_count)]
    pub count: Option<u64>,

    /// Stop after this long: 500ms, 30s, 5m, 1h.
    #[arg(long, value_parser = ingest::cli::duration)]
    pub duration: Option<std::time::Duration>,

    /// Lines per second, spread evenly; unlimited when not given.
    #[arg(long, value_parser = rate)]
    pub rate: Option<f64>,

    /// Write to FILE instead of stdout (gzip when it ends in .gz or with --gzip).
    #[arg(short, long, value_name = "FILE", conflicts_with = "brokers")]
    pub output: Option<PathBuf>,

    /// Gzip the --output file.
    #[arg(long, requires = "output")]
    pub gzip: bool,

    /// Produce to Kafka (with --brokers) instead of stdout.
    #[command(flatten)]
    pub kafka: ingest::cli::KafkaArgs,

    /// Partitions of the topic when it has to be created.
    #[arg(long, default_value_t = 3)]
    pub partitions: i32,

    /// Replication factor when the topic has to be created (-1: broker default).
    #[arg(long, default_value_t = -1)]
    pub replication: i32,

    /// Fail if the topic does not exist instead of creating it.
    #[arg(long)]
    pub no_create_topic: bool,

    /// Write the per-level counts of what was generated to FILE (- for stdout
    /// when lines go elsewhere).
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,

    /// Nothing on stderr but warnings and errors: no periodic statistics and
    /// no final "delivered N" line (the exit code says whether every line
    /// was delivered).
    #[arg(short, long)]
    pub quiet: bool,
}

fn rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if r > 0.0 && r.is_finite() => Ok(r),
        _ => Err(format!("not a positive rate: {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers() {
        assert!(rate("0").is_err());
    }
}
