//! `logmr-inspect`: parses arguments and hands over to the `ingest` library.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ingest::Result;
use ingest::cli::KafkaArgs;
use ingest::inspect::{InspectOptions, inspect};
use ingest::process::{exit_code, parse_args, stop_on_signals};

const AFTER_HELP: &str = "\
Output lines are PARTITION<TAB>OFFSET<TAB>KEY<TAB>VALUE. The topic is read
without a consumer group position: nothing is committed, so a look never
moves what logmr-sink will read.

Exit codes: 0 success (also when stdout's reader goes away), 1 a fatal
error (brokers unreachable, a topic that does not exist), 2 bad arguments,
5 the brokers refused the credentials or the certificate.";

/// Print messages of a Kafka topic with their partition and offset.
#[derive(Debug, Parser)]
#[command(name = "logmr-inspect", version, after_long_help = AFTER_HELP,
          mut_arg("brokers", |a| a.required(true)))]
struct Args {
    #[command(flatten)]
    kafka: KafkaArgs,

    /// Start at the beginning of every partition instead of at its end.
    #[arg(long)]
    from_beginning: bool,

    /// Stop after N messages.
    #[arg(short = 'n', long, value_name = "N")]
    count: Option<u64>,

    /// Stop after this many seconds without a message.
    #[arg(long, value_name = "SECS", value_parser = ingest::cli::seconds)]
    idle: Option<Duration>,
}

fn main_result(args: Args) -> Result<()> {
    // First, so that a signal during start-up (connecting, opening the
    // store) also stops cleanly.
    let stop = stop_on_signals()?;
    let opts = InspectOptions {
        brokers: args.kafka.brokers()?,
        properties: args.kafka.properties()?,
        topic: args.kafka.topic,
        from_beginning: args.from_beginning,
        count: args.count,
        idle: args.idle.filter(|d| !d.is_zero()),
        connect_timeout: args.kafka.connect_timeout,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    inspect(&opts, &mut out, &stop).map(|_| ())
}

fn main() -> ExitCode {
    match parse_args::<Args>() {
        Ok(args) => exit_code("logmr-inspect", main_result(args)),
        Err(code) => code,
    }
}
