//! The HDFS store: a thin adapter from [`Store`] to hdfs-native, a native
//! HDFS client that reads `HADOOP_CONF_DIR` (or `HADOOP_HOME/etc/hadoop`)
//! like Hadoop's own clients, Kerberos included. All commit and recovery
//! logic lives in [`crate::commit`], shared with the local store.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use hdfs_native::{Client, ClientBuilder, WriteOptions};
use tokio::runtime::Runtime;

use crate::error::{Error, Result};
use crate::store::{Entry, Store, StoreWriter};

/// A directory in HDFS, given as `hdfs://namenode:8020/user/kafka/logs`
/// (or `hdfs:///user/kafka/logs` for the configured default file system).
pub struct HdfsStore {
    client: Client,
    runtime: Runtime,
    url: String,
    root: String,
    /// The configured umask ([`crate::hadoop_conf::umask`]).
    umask: u32,
}

/// A store error with `context`: [`Error::Denied`] when the NameNode
/// refused us (no retry helps), else [`Error::Store`]; either way only the
/// first line of a NameNode's exception, not its Java stack trace.
fn hdfs_err(context: String) -> impl FnOnce(hdfs_native::HdfsError) -> Error {
    move |e| match crate::refusal::of_hdfs(&e) {
        Some(why) => Error::Denied(format!("{context}: {why}")),
        None => {
            let text = e.to_string();
            Error::Store(format!(
                "{context}: {}",
                text.lines().next().unwrap_or_default()
            ))
        }
    }
}

/// Whether `e` says the file does not exist. A NameNode answers an append
/// to a missing file with a `java.io.FileNotFoundException` over RPC, which
/// hdfs-native passes on as `RPCError`, not as its own `FileNotFound`.
fn is_not_found(e: &hdfs_native::HdfsError) -> bool {
    match e {
        hdfs_native::HdfsError::FileNotFound(_) => true,
        hdfs_native::HdfsError::RPCError(class, _) => class == "java.io.FileNotFoundException",
        _ => false,
    }
}

/// How long [`HdfsStore::open`] waits for the NameNode.
pub const OPEN_TIMEOUT: Duration = Duration::from_secs(30);

/// Resolves once `stop` is set.
async fn stopped(stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl HdfsStore {
    /// Opens the store, waiting up to [`OPEN_TIMEOUT`] for the NameNode.
    pub fn open(url: &str) -> Result<HdfsStore> {
        HdfsStore::open_within(url, OPEN_TIMEOUT, &AtomicBool::new(false))
    }

    /// Opens the store (creating its directory) and gives up when the
    /// NameNode has not answered within `timeout`, or when `stop` is set
    /// (SIGINT): an unreachable NameNode is an error that names it, not a
    /// hang.
    pub fn open_within(url: &str, timeout: Duration, stop: &AtomicBool) -> Result<HdfsStore> {
        let rest = url
            .strip_prefix("hdfs://")
            .ok_or_else(|| Error::Usage(format!("{url:?} is not an hdfs:// URL")))?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let root = path.trim_end_matches('/').to_string();
        if root.is_empty() {
            return Err(Error::Usage(format!("{url:?} names no directory")));
        }
        let builder = ClientBuilder::new();
        let builder = if authority.is_empty() {
            builder
        } else {
            builder.with_url(format!("hdfs://{authority}"))
        };
        let client = builder
            .build()
            .map_err(hdfs_err(format!("cannot connect to {url}")))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| Error::io("cannot start the HDFS client's runtime", e))?;
        let store = HdfsStore {
            client,
            runtime,
            url: url.to_string(),
            root,
            umask: crate::hadoop_conf::umask()?,
        };
        let namenode = if authority.is_empty() {
            "the configured default file system".to_string()
        } else {
            authority.to_string()
        };
        let answered = store.runtime.block_on(async {
            tokio::select! {
                made = store.client.mkdirs(&store.root, store.dir_mode(), true) => Some(made),
                _ = tokio::time::sleep(timeout) => None,
                _ = stopped(stop) => None,
            }
        });
        match answered {
            Some(made) => made.map_err(hdfs_err(format!("cannot create {url}")))?,
            None if stop.load(Ordering::Relaxed) => {
                return Err(Error::Store(format!(
                    "stopped while waiting for the HDFS NameNode {namenode} ({url})"
                )));
            }
            None => {
                return Err(Error::Store(format!(
                    "cannot reach the HDFS NameNode {namenode} ({url}) within {} s",
                    timeout.as_secs_f64()
                )));
            }
        }
        Ok(store)
    }

    fn full(&self, path: &str) -> String {
        format!("{}/{path}", self.root)
    }

    /// A new directory's permissions, as Hadoop's client makes them.
    fn dir_mode(&self) -> u32 {
        0o777 & !self.umask
    }

    /// How a new file is created: its permissions as Hadoop's client makes
    /// them, its parent directories too.
    fn new_file(&self) -> WriteOptions {
        WriteOptions {
            overwrite: false,
            create_parent: true,
            permission: 0o666 & !self.umask,
            ..WriteOptions::default()
        }
    }
}

struct HdfsWriter<'a> {
    store: &'a HdfsStore,
    writer: hdfs_native::file::FileWriter,
    path: String,
}

impl StoreWriter for HdfsWriter<'_> {
    fn write(&mut self, data: &[u8]) -> Result<()> {
        let store = self.store;
        store
            .runtime
            .block_on(self.writer.write_bytes(Bytes::copy_from_slice(data)))
            .map(|_| ())
            .map_err(hdfs_err(format!("cannot write {}", self.path)))
    }

    fn close(mut self: Box<Self>) -> Result<()> {
        let store = self.store;
        store
            .runtime
            .block_on(self.writer.close())
            .map_err(hdfs_err(format!("cannot close {}", self.path)))
    }
}

impl Store for HdfsStore {
    fn create(&self, path: &str) -> Result<Box<dyn StoreWriter + '_>> {
        let full = self.full(path);
        let writer = self
            .runtime
            .block_on(self.client.create(&full, self.new_file()))
            .map_err(hdfs_err(format!("cannot create {full}")))?;
        Ok(Box::new(HdfsWriter {
            store: self,
            writer,
            path: full,
        }))
    }

    fn rename(&self, from: &str, to: &str) -> Result<()> {
        let (src, dst) = (self.full(from), self.full(to));
        if let Some((dir, _)) = dst.rsplit_once('/') {
            self.runtime
                .block_on(self.client.mkdirs(dir, self.dir_mode(), true))
                .map_err(hdfs_err(format!("cannot create {dir}")))?;
        }
        self.runtime
            .block_on(self.client.rename(&src, &dst, false))
            .map_err(hdfs_err(format!("cannot publish {dst}")))
    }

    fn list(&self) -> Result<Vec<Entry>> {
        let statuses = self
            .runtime
            .block_on(self.client.list_status(&self.root, true))
            .map_err(hdfs_err(format!("cannot list {}", self.url)))?;
        let prefix = format!("{}/", self.root);
        let mut out: Vec<Entry> = statuses
            .into_iter()
            .filter(|s| !s.isdir)
            .map(|s| Entry {
                path: s.path.strip_prefix(&prefix).unwrap_or(&s.path).to_string(),
                len: s.length as u64,
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    fn delete(&self, path: &str) -> Result<()> {
        let full = self.full(path);
        self.runtime
            .block_on(self.client.delete(&full, false))
            .map(|_| ())
            .map_err(hdfs_err(format!("cannot delete {full}")))
    }

    fn read(&self, path: &str) -> Result<Vec<u8>> {
        let full = self.full(path);
        self.runtime
            .block_on(async {
                let reader = self.client.read(&full).await?;
                reader.read_range(0, reader.file_length()).await
            })
            .map(|b| b.to_vec())
            .map_err(hdfs_err(format!("cannot read {full}")))
    }

    fn append(&self, path: &str, data: &[u8]) -> Result<()> {
        let full = self.full(path);
        self.runtime
            .block_on(async {
                let mut writer = match self.client.append(&full).await {
                    Ok(writer) => writer,
                    Err(e) if is_not_found(&e) => {
                        self.client.create(&full, self.new_file()).await?
                    }
                    Err(e) => return Err(e),
                };
                writer.write_bytes(Bytes::copy_from_slice(data)).await?;
                writer.close().await
            })
            .map_err(hdfs_err(format!("cannot append to {full}")))
    }

    fn describe(&self) -> String {
        self.url.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_recognised_in_both_forms() {
        use hdfs_native::HdfsError;
        assert!(is_not_found(&HdfsError::FileNotFound("/x".into())));
        assert!(is_not_found(&HdfsError::RPCError(
            "java.io.FileNotFoundException".into(),
            "File does not exist: /x".into()
        )));
        assert!(!is_not_found(&HdfsError::RPCError(
            "org.apache.hadoop.security.AccessControlException".into(),
            "denied".into()
        )));
    }

    #[test]
    fn urls_are_checked() {
        assert!(matches!(
            HdfsStore::open("file:///tmp/x"),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            HdfsStore::open("hdfs://nn:8020"),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            HdfsStore::open("hdfs://nn:8020/"),
            Err(Error::Usage(_))
        ));
    }
}
