//! `produce-raw BROKERS TOPIC FILE`: produces every line of FILE, read into
//! memory first, with the producer settings logmr-gen uses. Nothing is
//! generated or formatted while it runs, so its rate is the ceiling of
//! rdkafka on this machine and broker.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use ingest::kafka::{DeliveryCounter, KafkaOptions, PRODUCER_DEFAULTS, client_config};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseRecord, Producer, ThreadedProducer};

fn run(brokers: &str, topic: &str, file: &str) -> Result<String, String> {
    let text = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let lines: Vec<&[u8]> = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let keys: Vec<Vec<u8>> = (1..=20).map(ingest::format::machine_key).collect();
    let opts = KafkaOptions {
        brokers: brokers.into(),
        topic: topic.into(),
        properties: Default::default(),
        partitions: 3,
        replication: 1,
        create_topic: false,
        connect_timeout: Duration::from_secs(10),
    };
    let producer: ThreadedProducer<DeliveryCounter> = client_config(&opts, PRODUCER_DEFAULTS)
        .create_with_context(DeliveryCounter::default())
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    for (i, line) in lines.iter().enumerate() {
        let mut record = BaseRecord::to(topic)
            .key(keys[i % keys.len()].as_slice())
            .payload(*line);
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                    std::thread::sleep(Duration::from_millis(5));
                    record = r;
                }
                Err((e, _)) => return Err(e.to_string()),
            }
        }
    }
    producer
        .flush(Duration::from_secs(60))
        .map_err(|e| e.to_string())?;
    let secs = started.elapsed().as_secs_f64();
    Ok(format!("{} messages in {secs:.3} s", lines.len()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [brokers, topic, file] = args.as_slice() else {
        eprintln!("usage: produce-raw BROKERS TOPIC FILE");
        return ExitCode::from(2);
    };
    match run(brokers, topic, file) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("produce-raw: {e}");
            ExitCode::FAILURE
        }
    }
}
