//! End-to-end tests across processes: real shell pipelines, a job played
//! the way Hadoop Streaming plays it, and the generator against a real
//! Kafka-protocol broker.

mod generator;
mod pipeline;
