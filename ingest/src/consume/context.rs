//! The consumer's context: each assigned partition starts where the store
//! ends, rebalances are noted for the loop, and the lag is read from
//! librdkafka's statistics.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, RebalanceProtocol};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{Offset, TopicPartitionList};

use crate::commit::{Recovery, recover};
use crate::error::{Error, Result};
use crate::store::Store;

/// Starts every assigned partition where the store ends, and notes
/// rebalances for the loop, which acts on them between polls.
pub(super) struct SinkContext {
    pub(super) store: Arc<dyn Store + Send + Sync>,
    pub(super) topic: String,
    /// Start assigned partitions where the store ends (false in
    /// single-file mode, where the group's offsets decide).
    pub(super) store_positions: bool,
    pub(super) rebalanced: AtomicBool,
    /// The store as the last assignment read it, for the loop to realign
    /// to without listing the store again.
    pub(super) recovered: Mutex<Option<Recovery>>,
    /// A store that could not be read, or refused, during a rebalance; fatal.
    pub(super) failure: Mutex<Option<Error>>,
    /// The lag over the assigned partitions, or why it is unknown, from
    /// the consumer's own statistics (`None` before the first): the
    /// progress line reads it without asking the brokers anything.
    pub(super) lag: Mutex<Option<std::result::Result<i64, String>>>,
}

impl ClientContext for SinkContext {
    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        crate::kafka::report_client_error("logmr-sink", &error, reason);
    }

    fn stats(&self, statistics: rdkafka::statistics::Statistics) {
        let lag = lag_of(&statistics, &self.topic);
        *self.lag.lock().unwrap_or_else(|p| p.into_inner()) = Some(lag);
    }
}

/// Records not yet read in the assigned partitions of `topic`, from
/// librdkafka's statistics (the partition's end less the position; its own
/// `consumer_lag` counts from the committed offset, which the sink commits
/// only as a hint), or why
/// that is unknown: no partition assigned, a position not known yet, or a
/// partition's leader that does not answer.
fn lag_of(
    statistics: &rdkafka::statistics::Statistics,
    topic: &str,
) -> std::result::Result<i64, String> {
    let mut partitions: Vec<_> = statistics
        .topics
        .get(topic)
        .map(|t| {
            t.partitions
                .values()
                .filter(|p| p.partition >= 0 && p.desired)
                .collect()
        })
        .unwrap_or_default();
    if partitions.is_empty() {
        return Err("no partition assigned".into());
    }
    partitions.sort_by_key(|p| p.partition);
    let mut lag = 0;
    for p in partitions {
        let leader_up = statistics
            .brokers
            .values()
            .any(|b| b.nodeid == p.leader && b.state == "UP");
        if !leader_up {
            return Err(format!(
                "the leader of partition {} does not answer",
                p.partition
            ));
        }
        // The partition's end for this consumer (the last stable offset
        // under read_committed, librdkafka's default) less its position:
        // the next offset to hand out, or to fetch before anything was.
        let end = if p.ls_offset >= 0 {
            p.ls_offset
        } else {
            p.hi_offset
        };
        let position = if p.app_offset >= 0 {
            p.app_offset
        } else {
            p.next_offset
        };
        if end < 0 || position < 0 {
            return Err(format!("no position yet in partition {}", p.partition));
        }
        lag += (end - position).max(0);
    }
    Ok(lag)
}

impl SinkContext {
    pub(super) fn fail(&self, error: Error) {
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(error);
    }

    /// Sets each partition of `tpl` to start where the store ends (after
    /// its last committed file, or at the beginning of the log), never at
    /// the group's offset: the store is the source of truth.
    pub(super) fn start_where_the_store_ends(&self, tpl: &mut TopicPartitionList) -> Result<()> {
        let assigned: Vec<i32> = tpl
            .elements_for_topic(&self.topic)
            .iter()
            .map(|e| e.partition())
            .collect();
        let recovery = recover(&*self.store, &self.topic, &assigned)?;
        for &partition in &assigned {
            let start = recovery
                .next
                .get(&partition)
                .map_or(Offset::Beginning, |&n| Offset::Offset(n));
            let _ = tpl.set_partition_offset(&self.topic, partition, start);
        }
        *self.recovered.lock().unwrap_or_else(|p| p.into_inner()) = Some(recovery);
        Ok(())
    }
}

impl ConsumerContext for SinkContext {
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        let cooperative = matches!(
            consumer.rebalance_protocol(),
            RebalanceProtocol::Cooperative
        );
        let result = if err == RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
            if self.store_positions
                && let Err(e) = self.start_where_the_store_ends(tpl)
            {
                self.fail(e);
            }
            if cooperative {
                consumer.incremental_assign(tpl)
            } else {
                consumer.assign(tpl)
            }
        } else if cooperative {
            consumer.incremental_unassign(tpl)
        } else {
            consumer.unassign()
        };
        if let Err(e) = result {
            self.fail(Error::kafka("cannot take the assignment", e));
        }
        self.rebalanced.store(true, Ordering::Release);
    }
}
