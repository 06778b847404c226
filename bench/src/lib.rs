//! Benchmarks of logmr.
//!
//! * [`corpus`] generates deterministic corpora and knows their ground truth.
//! * [`measure`] runs a shell command and measures wall time, CPU time and
//!   peak RSS.
//! * [`counts`] reads each tool's output as per-level counts.
//! * [`levelcount`] is the side-by-side level-count comparison,
//!   [`memory`] the rows with many distinct keys, [`loghub`] the template
//!   evaluation on labelled samples, and [`producing`] and [`sinking`] the
//!   generator's and the sink's rows; [`yarn`] runs the job on YARN and
//!   Spark beside the Python original and a native Java job.
//! * [`instructions`] counts instructions per line under cachegrind.
//! * [`report`] renders markdown tables; [`machine`] describes the machine;
//!   [`program`] holds what the programs share (sizes, the build, targets).

pub mod corpus;
pub mod counts;
pub mod instructions;
pub mod levelcount;
pub mod loghub;
pub mod machine;
pub mod measure;
pub mod memory;
pub mod producing;
pub mod program;
pub mod report;
pub mod sinking;
pub mod yarn;

/// A topic name no other benchmark run of this process has used, on the
/// shared broker: each Kafka run starts from an empty topic.
pub fn fresh_topic(broker: &logmr_e2e::broker::Broker) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    broker.topic(&format!("bench{}", NEXT.fetch_add(1, Ordering::Relaxed)))
}
