//! Whether the store belongs to the topic, checked at each assignment
//! before anything is written.

use rdkafka::consumer::Consumer;

use super::sink::Sink;
use crate::commit::Recovery;
use crate::error::{Error, Result};
use crate::probe::first_records;
use crate::store::Store;

impl Sink<'_> {
    /// Refuses a store that does not belong to the topic, in each assigned
    /// partition that it holds, before anything is written:
    /// - ahead of the topic: its files claim offsets the topic never had;
    /// - another topic under the same name: the record the topic holds at
    ///   the store's last offset is not the line stored there (the topic
    ///   was deleted and made again, longer than before, or the brokers are
    ///   another cluster);
    /// - a gap that the topic can fill: offsets missing between two files
    ///   while the topic still holds records there (a file not written by
    ///   this sink). Gaps where the topic holds none (retention, compaction,
    ///   transaction markers) are the topic's own.
    ///
    /// Reading on would store nothing, or skip records, while saying all is
    /// well.
    pub(super) fn check_against_topic(&mut self, recovery: &Recovery) -> Result<()> {
        let assignment = self
            .consumer
            .assignment()
            .map_err(|e| Error::kafka("cannot read the assignment", e))?;
        let topic = &self.opts.topic;
        let mut ends = Vec::new();
        let mut gaps = Vec::new();
        let mut checking = Vec::new();
        for elem in assignment.elements_for_topic(topic) {
            let partition = elem.partition();
            let Some(next) = self.positions.next(partition) else {
                continue;
            };
            let (low, high) = self.watermarks(partition)?;
            if next > high {
                let file = recovery
                    .last_file
                    .get(&partition)
                    .map_or("", String::as_str);
                return Err(Error::Conflict(format!(
                    "the store {} is ahead of the topic: it holds {topic} partition {partition} up \
                     to offset {} ({file}), but the topic's partition ends before offset {high}. \
                     Was the topic deleted and created again, or are these other brokers? Nothing \
                     was written; move the topic's files out of the store (or give a new --store) \
                     to start it again",
                    self.store.describe(),
                    next - 1,
                )));
            }
            if self.checked.contains(&(partition, next)) {
                continue;
            }
            checking.push((partition, next));
            if next > low {
                ends.push((partition, next - 1));
            }
            gaps.extend(
                recovery
                    .gaps
                    .iter()
                    .filter(|g| g.partition == partition && g.to >= low)
                    .map(|g| (g, g.from.max(low))),
            );
        }
        let timeout = self.opts.connect_timeout;
        let found = first_records(self.config, topic, &ends, timeout)?;
        for (partition, last) in ends {
            let file = recovery
                .last_file
                .get(&partition)
                .map_or("", String::as_str);
            match found.get(&partition) {
                Some(Some(record)) if record.offset == last => {
                    if !stored_last(self.store, file)?
                        .ends_with(&[&record.payload[..], b"\n"].concat())
                    {
                        return Err(Error::Conflict(format!(
                            "the store {} does not belong to this topic: its last record of {topic} \
                             partition {partition} (offset {last}, in {file}) is not the record the \
                             topic holds at that offset. Was the topic deleted and created again, or \
                             are these other brokers? Nothing was written; move the topic's files out \
                             of the store (or give a new --store) to start it again",
                            self.store.describe(),
                        )));
                    }
                }
                _ => eprintln!(
                    "logmr-sink: warning: partition {partition}: the topic no longer holds offset \
                     {last}, where the store ends ({file}), as a record (compacted, or a transaction \
                     marker), so the store's last record could not be compared with the topic"
                ),
            }
        }
        for (gap, from) in gaps {
            let found = first_records(self.config, topic, &[(gap.partition, from)], timeout)?;
            if let Some(Some(record)) = found.get(&gap.partition)
                && record.offset <= gap.to
            {
                return Err(Error::Conflict(format!(
                    "the store {} lacks offsets {}..{} of {topic} partition {}, which the topic \
                     still holds (offset {} for one), and goes on after them with {}, a file this \
                     sink would not have written there. Nothing was written; remove that file, and \
                     any after it, so that the sink stores the missing records",
                    self.store.describe(),
                    gap.from,
                    gap.to,
                    gap.partition,
                    record.offset,
                    gap.after,
                )));
            }
        }
        self.checked.extend(checking);
        Ok(())
    }
}

/// The bytes of a committed file, gunzipped when its name says so.
fn stored_last(store: &dyn Store, path: &str) -> Result<Vec<u8>> {
    let data = store.read(path)?;
    if !path.ends_with(".gz") {
        return Ok(data);
    }
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&data[..]), &mut text)
        .map_err(|e| Error::io(format!("cannot decompress {path}"), e))?;
    Ok(text)
}
