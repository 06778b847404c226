//! End-to-end tests across processes: real shell pipelines and a job played
//! the way Hadoop Streaming plays it.

mod pipeline;
