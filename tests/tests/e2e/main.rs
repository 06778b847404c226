//! End-to-end tests across processes: real shell pipelines, a job played
//! the way Hadoop Streaming plays it, and the generator against a real
//! Kafka-protocol broker, and the sink into a store under kill -9.

mod generator;
mod pipeline;
mod sink;
