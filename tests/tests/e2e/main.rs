//! End-to-end tests across processes: real shell pipelines, a job played
//! the way Hadoop Streaming plays it, and the generator against a real
//! Kafka-protocol broker, the sink into a store under kill -9, and the job
//! scripts of hadoop-jobs/, and the pipeline on Kerberized HDFS and
//! SASL_SSL Kafka.

mod generator;
mod hdfs;
mod jobs;
mod paths;
mod pipeline;
mod report;
mod scripts;
mod secure;
mod sink;
