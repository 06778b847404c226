//! The HDFS store against the services' real NameNode: the store contract
//! and the commit protocol, the same checks the local store passes, since
//! both share every line of commit and recovery logic.

use ingest::hdfs::HdfsStore;
use logmr_e2e::services::{services, unique};

fn scratch(name: &str) -> HdfsStore {
    let url = services().hdfs_url(&format!("/e2e/{}", unique(name)));
    HdfsStore::open(&url).unwrap_or_else(|e| panic!("open {url}: {e}"))
}

#[test]
fn the_hdfs_store_keeps_the_store_contract() {
    ingest::store::contract::check(&scratch("store-contract"));
}

#[test]
fn the_hdfs_store_keeps_the_commit_protocol() {
    ingest::commit::contract::check(&scratch("commit-contract"));
}
