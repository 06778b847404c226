//! `logmr-sink`: parses arguments and hands over to the `ingest` library.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use ingest::cli::KafkaArgs;
use ingest::consume::{SinkOptions, run_sink};
use ingest::hdfs::HdfsStore;
use ingest::process::{exit_code, parse_args, stop_on_signals};
use ingest::store::{LocalStore, Store};
use ingest::{Error, Result};

const AFTER_HELP: &str = "\
Files are named TOPIC+PARTITION+FIRST+LAST.log (offsets, zero-padded) and
appear only once complete: a batch is written under a temporary name that
starts with `_`, which Hadoop's input globs skip, made durable, then renamed.
On start, each partition resumes after the last committed file; the group
offsets in Kafka are only a hint. Killing the sink at any moment and starting
it again loses no record and writes none twice.

One writer per partition and store: a sink that finds a batch's offsets
already stored by another writer (a sink of another group, say) stops
before publishing it. At assignment, before anything is read, the store
must belong to the topic: not ahead of its end; its last record the one the
topic holds at that offset (a topic deleted and created again, longer or
shorter, or other brokers, fail here); and no gap between its files where
the topic still holds records (a file that is not the sink's). Files that
are not the topic's batches are named in a warning: Hadoop reads them too.

Exit codes: 0 success, 1 a fatal error (store, brokers, a topic that does not
exist), 2 bad arguments,
4 the store and the topic disagree (ahead of the topic, another topic under
the same name, a gap the topic can fill, overlapping files, another
writer): nothing more is written until someone looks, 5 refused: the
brokers or the NameNode refused the credentials (SASL, a Kerberos ticket
missing or expired), the certificate or a permission.

Secrets (sasl.password) belong in a -F file (mode 0600) or a LOGMR_X_*
variable: a command line, -X included, is readable by every user.
SIGINT or SIGTERM commits the open batches and exits.";

/// Consume a Kafka topic into a directory of log files, exactly once.
#[derive(Debug, Parser)]
#[command(name = "logmr-sink", version, after_long_help = AFTER_HELP,
          mut_arg("brokers", |a| a.required(true)))]
struct Args {
    #[command(flatten)]
    kafka: KafkaArgs,

    /// Consumer group.
    #[arg(long, default_value = "logmr-sink")]
    group: String,

    /// Where the files go: a local directory, or an HDFS directory such as
    /// hdfs://namenode:8020/user/kafka/logs (HADOOP_CONF_DIR is read like
    /// Hadoop clients read it).
    #[arg(long, value_name = "DIR|URL")]
    store: String,

    /// Commit a partition's batch at this many records...
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    max_records: usize,

    /// ...or at this many bytes (K, M and G suffixes; an HDFS block)...
    #[arg(long, value_name = "BYTES", default_value = "128M", value_parser = batch_bytes)]
    max_bytes: usize,

    /// ...or when it is this many seconds old, even if the topic is idle.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = ingest::cli::positive_seconds)]
    interval: Duration,

    /// Put files under dt=YYYY-MM-DD/ by their records' Kafka timestamps (UTC).
    #[arg(long)]
    date_partition: bool,

    /// Gzip the files (.log.gz); Hadoop reads them transparently.
    #[arg(long)]
    gzip: bool,

    /// Append everything to this one file in the store, as the original
    /// consumer did with logs_machine.txt. NOT exactly once: a crash between
    /// an append and the offset commit writes records again.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["gzip", "date_partition"])]
    single_file: Option<String>,

    /// Commit everything and exit once no record has come for SECS seconds
    /// (drain the topic, for batch loads). Time spent waiting for the group
    /// to assign partitions, up to --connect-timeout, does not count.
    #[arg(long, value_name = "SECS", value_parser = ingest::cli::seconds)]
    exit_when_idle: Option<Duration>,

    /// Seconds between progress lines on stderr when it is not a terminal
    /// (records read, committed, skipped, and the lag).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = ingest::cli::positive_seconds)]
    progress_every: Duration,

    /// No periodic statistics on stderr.
    #[arg(short, long)]
    quiet: bool,
}

/// A batch size in bytes: a positive size that fits memory.
fn batch_bytes(text: &str) -> std::result::Result<usize, String> {
    let bytes = logmr::units::parse_size(text)?;
    usize::try_from(bytes).map_err(|_| format!("too large a size: {text:?}"))
}

fn main_result(args: Args) -> Result<()> {
    // First, so that a signal during start-up (connecting, opening the
    // store) also stops cleanly.
    let stop = stop_on_signals()?;
    if args.max_records == 0 {
        return Err(Error::Usage("--max-records must be positive".into()));
    }
    let opts = SinkOptions {
        brokers: args.kafka.brokers()?,
        properties: args.kafka.properties()?,
        topic: args.kafka.topic,
        group: args.group,
        connect_timeout: args.kafka.connect_timeout,
        max_records: args.max_records,
        max_bytes: args.max_bytes,
        interval: args.interval,
        date_partitioning: args.date_partition,
        gzip: args.gzip,
        single_file: args.single_file,
        exit_when_idle: args.exit_when_idle.filter(|d| !d.is_zero()),
        quiet: args.quiet,
        progress_every: args.progress_every,
    };
    let store: Arc<dyn Store + Send + Sync> = if args.store.starts_with("hdfs://") {
        Arc::new(HdfsStore::open_within(
            &args.store,
            opts.connect_timeout,
            &stop,
        )?)
    } else {
        Arc::new(LocalStore::open(std::path::Path::new(&args.store))?)
    };
    let report = run_sink(&opts, store, &stop)?;
    eprintln!(
        "logmr-sink: committed {} records ({}) in {} files to {}; skipped {} already stored",
        report.records,
        logmr::units::human_bytes(report.bytes),
        report.files,
        args.store,
        report.skipped
    );
    Ok(())
}

fn main() -> ExitCode {
    match parse_args::<Args>() {
        Ok(args) => exit_code("logmr-sink", main_result(args)),
        Err(code) => code,
    }
}
