//! The one Hadoop client setting the HDFS store applies itself: the umask
//! (`fs.permissions.umask-mode`) that Hadoop's own client masks new files
//! (0666) and directories (0777) with, so that the store's files get the
//! permissions `hadoop fs -put` would give them. It is read, as hdfs-native
//! reads the rest, from `core-site.xml` then `hdfs-site.xml` of
//! `$HADOOP_CONF_DIR` (or `$HADOOP_HOME/etc/hadoop`).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The umask's name in Hadoop's configuration.
pub const UMASK_KEY: &str = "fs.permissions.umask-mode";

/// Hadoop's default umask.
pub const DEFAULT_UMASK: u32 = 0o022;

/// The client configuration directory, as hdfs-native finds it.
fn conf_dir() -> Option<PathBuf> {
    std::env::var_os("HADOOP_CONF_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HADOOP_HOME").map(|h| Path::new(&h).join("etc/hadoop")))
}

/// The configured umask, or Hadoop's default.
pub fn umask() -> Result<u32> {
    let Some(dir) = conf_dir() else {
        return Ok(DEFAULT_UMASK);
    };
    let mut value = None;
    for file in ["core-site.xml", "hdfs-site.xml"] {
        let path = dir.join(file);
        if !path.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
        if let Some(v) = property(&text, UMASK_KEY)
            .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?
        {
            value = Some((v, path));
        }
    }
    match value {
        None => Ok(DEFAULT_UMASK),
        Some((text, path)) => parse_umask(&text).ok_or_else(|| {
            Error::Usage(format!(
                "{}: {UMASK_KEY} is {text:?}, neither octal (022) nor symbolic (u=rwx,g=rx,o=)",
                path.display()
            ))
        }),
    }
}

/// The value of property `name` in a Hadoop configuration file, the last
/// one given.
fn property(xml: &str, name: &str) -> std::result::Result<Option<String>, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| e.to_string())?;
    let mut found = None;
    for node in doc.descendants().filter(|n| n.has_tag_name("property")) {
        let child = |tag: &str| {
            node.children()
                .find(|c| c.has_tag_name(tag))
                .and_then(|c| c.text())
                .map(str::trim)
        };
        if child("name") == Some(name) {
            found = child("value").map(String::from);
        }
    }
    Ok(found)
}

/// A umask as Hadoop's `UmaskParser` reads it: octal (`022`, `0077`), or
/// symbolic, which names what stays allowed (`u=rwx,g=rx,o=` is 027).
pub fn parse_umask(text: &str) -> Option<u32> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return u32::from_str_radix(text, 8).ok().filter(|&m| m <= 0o777);
    }
    let mut allowed = 0o777;
    for part in text.split(',') {
        let (who, perms) = part.split_once('=')?;
        let mut bits = 0;
        for c in perms.chars() {
            bits |= match c {
                'r' => 4,
                'w' => 2,
                'x' => 1,
                '-' => 0,
                _ => return None,
            };
        }
        if who.is_empty() {
            return None;
        }
        for w in who.chars() {
            let shifts: &[u32] = match w {
                'u' => &[6],
                'g' => &[3],
                'o' => &[0],
                'a' => &[6, 3, 0],
                _ => return None,
            };
            for &shift in shifts {
                allowed = (allowed & !(0o7 << shift)) | (bits << shift);
            }
        }
    }
    Some(0o777 & !allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umasks_in_both_forms() {
        assert_eq!(parse_umask("022"), Some(0o022));
        assert_eq!(parse_umask("0077"), Some(0o077));
        assert_eq!(parse_umask("u=rwx,g=rwx,o="), Some(0o007));
        assert_eq!(parse_umask("u=rwx,g=r-x,o=r-x"), Some(0o022));
        assert_eq!(parse_umask("a=rx"), Some(0o222));
        for bad in ["", "8", "01000", "u=q", "=rw", "u"] {
            assert_eq!(parse_umask(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_last_definition_wins() {
        let xml = "<configuration>\
            <property><name>fs.permissions.umask-mode</name><value>022</value></property>\
            <property><name>other</name><value>1</value></property>\
            <property><name>fs.permissions.umask-mode</name><value> 077 </value></property>\
            </configuration>";
        assert_eq!(property(xml, UMASK_KEY), Ok(Some("077".into())));
        assert_eq!(property(xml, "missing"), Ok(None));
        assert!(property("<configuration>", UMASK_KEY).is_err());
    }
}
