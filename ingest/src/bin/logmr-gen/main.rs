//! `logmr-gen`: parses arguments and hands over to the `ingest` library.

mod args;

use std::io::Write;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use ingest::destination::{Destination, StreamDestination};
use ingest::generator::{DEFAULT_WEIGHTS, Formats, GenConfig, Generator, parse_weights};
use ingest::kafka::{KafkaDestination, KafkaOptions};
use ingest::process::{exit_code, parse_args, stop_on_signals};
use ingest::run::{Bounds, run};
use ingest::{Error, Result};
use logmr::civil::parse_timestamp;

use args::Args;

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn config(args: &Args) -> Result<GenConfig> {
    let start_ms = match args.start.as_str() {
        "now" => now_millis(),
        text => parse_timestamp(text).ok_or_else(|| {
            Error::Usage(format!(
                "--start {text:?}: expected now or YYYY-MM-DD HH:MM:SS"
            ))
        })?,
    };
    if let Some(count) = args.count {
        let last = count
            .checked_sub(1)
            .and_then(|n| n.checked_mul(args.interval_ms))
            .and_then(|n| i64::try_from(n).ok())
            .and_then(|n| start_ms.checked_add(n));
        if last.is_none_or(|last| last > logmr::civil::MAX_MILLIS) && count > 0 {
            return Err(Error::Usage(format!(
                "{count} lines {} ms apart from --start would pass the year 9999",
                args.interval_ms
            )));
        }
    }
    Ok(GenConfig {
        formats: Formats::parse(&args.format)?,
        weights: parse_weights(&args.levels)?,
        strict_weights: args.levels != DEFAULT_WEIGHTS,
        machines: args.machines,
        start_ms,
        interval_ms: args.interval_ms,
        seed: args
            .seed
            .unwrap_or_else(|| now_millis() as u64 ^ u64::from(std::process::id())),
    })
}

fn destination(args: &Args) -> Result<Box<dyn Destination>> {
    if let Some(brokers) = &args.kafka.brokers {
        let opts = KafkaOptions {
            brokers: brokers.clone(),
            topic: args.kafka.topic.clone(),
            properties: args.kafka.properties()?,
            partitions: args.partitions,
            replication: args.replication,
            create_topic: !args.no_create_topic,
            connect_timeout: args.kafka.connect_timeout,
        };
        let destination = KafkaDestination::connect(&opts, args.machines)?;
        if destination.partitions() != args.partitions as usize {
            eprintln!(
                "logmr-gen: warning: topic {} has {} partition(s), not {}: --partitions applies \
                 only to a topic logmr-gen creates",
                args.kafka.topic,
                destination.partitions(),
                args.partitions
            );
        }
        return Ok(Box::new(destination));
    }
    if !args.kafka.properties.is_empty() {
        return Err(Error::Usage("-X applies to Kafka; give --brokers".into()));
    }
    match &args.output {
        Some(path) => {
            let gzip = args.gzip || path.extension().is_some_and(|e| e == "gz");
            Ok(Box::new(StreamDestination::file(path, gzip)?))
        }
        None => Ok(Box::new(StreamDestination::stdout())),
    }
}

/// Where the summary goes, opened before anything is produced so that an
/// unwritable path fails first: `None` for none or stdout (`-`).
fn open_summary(args: &Args) -> Result<Option<std::fs::File>> {
    match &args.summary {
        Some(path) if path.as_os_str() != "-" => std::fs::File::create(path)
            .map(Some)
            .map_err(|e| Error::io(format!("cannot create {}", path.display()), e)),
        _ => Ok(None),
    }
}

fn write_summary(args: &Args, file: Option<std::fs::File>, generator: &Generator) -> Result<()> {
    let text = generator.summary();
    match (file, &args.summary) {
        (Some(mut file), Some(path)) => file
            .write_all(text.as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e)),
        (None, Some(_)) => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .map_err(|e| Error::io("cannot write the summary", e))
        }
        _ => Ok(()),
    }
}

fn main_result(args: Args) -> Result<()> {
    // First, so that a signal during start-up (connecting, opening the
    // store) also stops cleanly.
    let stop = stop_on_signals()?;
    let cfg = config(&args)?;
    let mut generator = Generator::new(&cfg)?;
    if args.summary.as_ref().is_some_and(|p| p.as_os_str() == "-")
        && args.kafka.brokers.is_none()
        && args.output.is_none()
    {
        return Err(Error::Usage(
            "--summary - needs the lines to go to --output or --brokers".into(),
        ));
    }
    let summary = open_summary(&args)?;
    let mut destination = destination(&args)?;
    let bounds = Bounds {
        count: args.count,
        duration: args.duration,
        rate: args.rate,
    };
    let result = run(
        &mut generator,
        destination.as_mut(),
        &bounds,
        &stop,
        args.quiet,
    );
    // The summary describes what was generated, even when the run failed.
    write_summary(&args, summary, &generator)?;
    let report = result?;
    if !args.quiet {
        eprintln!("logmr-gen: {}", report.line());
    }
    report.check()
}

fn main() -> ExitCode {
    match parse_args::<Args>() {
        Ok(args) => exit_code("logmr-gen", main_result(args)),
        Err(code) => code,
    }
}
