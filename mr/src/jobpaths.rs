//! The paths of a Hadoop job, resolved as Hadoop resolves them, and the
//! guard that keeps a job's output away from its input.
//!
//! The rules are Hadoop's, checked against its own classes by the
//! end-to-end tests (`tests/data/hadoop-paths.txt`):
//! - Streaming's `-input` is a comma list, split as
//!   `FileInputFormat.addInputPaths` splits it: at commas outside `{…}`.
//! - Each part is parsed as `org.apache.hadoop.fs.Path` parses a string: a
//!   scheme before a colon that comes before any `/`, an authority after
//!   `//`, double slashes folded, a trailing `/` dropped, then `.` and `..`
//!   removed as `java.net.URI.normalize` removes them.
//! - It is qualified as `FileSystem.makeQualified` does: a relative path
//!   lies under the working directory (`/user/NAME`), and a missing scheme
//!   or authority is the default file system's (`fs.defaultFS`), also for
//!   `hdfs:/data` (a scheme without an authority).
//!
//! When the default file system is not known, its scheme and authority
//! stay unknown, and an unknown one may be any: two paths are on different
//! file systems only when both name theirs and they differ.

use std::fmt;

/// A path that Hadoop would refuse, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError(pub String);

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file system: a scheme and an authority. `None` is the default file
/// system's, when it is not known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSystem {
    pub scheme: Option<String>,
    pub authority: Option<String>,
}

impl FileSystem {
    /// `hdfs://nn:8020` (or `file:///`) as `fs.defaultFS` gives it.
    pub fn parse(uri: &str) -> Result<FileSystem, PathError> {
        let bad = || {
            PathError(format!(
                "{uri:?} is not a file system URI such as hdfs://namenode:8020"
            ))
        };
        let (scheme, rest) = uri.split_once(':').ok_or_else(bad)?;
        if !valid_scheme(scheme) {
            return Err(bad());
        }
        let authority = rest
            .strip_prefix("//")
            .map(|r| r.split('/').next().unwrap_or(""))
            .filter(|a| !a.is_empty());
        Ok(FileSystem {
            scheme: Some(scheme.to_string()),
            authority: authority.map(str::to_string),
        })
    }

    /// Could `self` and `other` be the same file system?
    fn may_be(&self, other: &FileSystem) -> bool {
        let same = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => true,
        };
        same(&self.scheme, &other.scheme) && same(&self.authority, &other.authority)
    }
}

/// A path qualified as Hadoop qualifies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qualified {
    pub fs: FileSystem,
    /// Absolute, normalized; empty for a bare `scheme://authority`.
    pub path: String,
}

impl fmt::Display for Qualified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(scheme) = &self.fs.scheme {
            write!(f, "{scheme}:")?;
        }
        match &self.fs.authority {
            Some(authority) => write!(f, "//{authority}{}", self.path),
            None if self.fs.scheme.is_some() => write!(f, "{}", self.path),
            None => f.write_str(&self.path),
        }
    }
}

/// Where relative paths and missing file systems are taken from.
#[derive(Clone, Debug)]
pub struct Resolver {
    pub default_fs: FileSystem,
    /// The working directory, `/user/NAME`.
    pub home: String,
}

/// Splits an `-input` value as `FileInputFormat.addInputPaths` does: at
/// commas outside braces.
pub fn split_inputs(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut open, mut glob, mut start) = (0i32, false, 0);
    for (i, c) in list.char_indices() {
        match c {
            '{' => {
                open += 1;
                glob = true;
            }
            '}' => {
                open -= 1;
                if open == 0 && glob {
                    glob = false;
                }
            }
            ',' if !glob => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[start..]);
    parts
}

fn valid_scheme(scheme: &str) -> bool {
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// A path string parsed as `new Path(String)` parses it.
struct Parsed {
    scheme: Option<String>,
    authority: Option<String>,
    path: String,
}

fn parse(text: &str) -> Result<Parsed, PathError> {
    if text.is_empty() {
        return Err(PathError(
            "an empty path (a comma at either end of a list?)".into(),
        ));
    }
    let colon = text.find(':');
    let slash = text.find('/');
    let mut start = 0;
    let mut scheme = None;
    if let Some(colon) = colon.filter(|&c| slash.is_none_or(|s| c < s)) {
        let name = &text[..colon];
        if !valid_scheme(name) {
            return Err(PathError(format!("{text:?}: {name:?} is not a URI scheme")));
        }
        scheme = Some(name.to_string());
        start = colon + 1;
    }
    let mut authority = None;
    if text[start..].starts_with("//") && text.len() - start > 2 {
        let end = text[start + 2..]
            .find('/')
            .map_or(text.len(), |i| start + 2 + i);
        authority = Some(text[start + 2..end].to_string()).filter(|a| !a.is_empty());
        start = end;
    }
    let path = fold_slashes(&text[start..]);
    if scheme.is_some() && !path.is_empty() && !path.starts_with('/') {
        return Err(PathError(format!(
            "{text:?}: a relative path after a scheme, which Hadoop refuses"
        )));
    }
    Ok(Parsed {
        scheme,
        authority,
        path: normalize(&path),
    })
}

/// `Path.normalizePath`: each `//` (left to right, not overlapping) made
/// `/`, and a trailing `/` dropped from a path longer than one character.
fn fold_slashes(path: &str) -> String {
    let mut out = path.replace("//", "/");
    if out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

/// `java.net.URI.normalize` of a path: empty and `.` segments removed, and
/// each `..` with the segment before it, unless that is `..` too (a `..`
/// at the start stays, also after the root).
fn normalize(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let absolute = path.starts_with('/');
    let mut kept: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." if kept.last().is_some_and(|&s| s != "..") => {
                kept.pop();
            }
            _ => kept.push(segment),
        }
    }
    let joined = kept.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

impl Resolver {
    /// A path as `FileSystem.makeQualified` gives it.
    pub fn qualify(&self, text: &str) -> Result<Qualified, PathError> {
        let parsed = parse(text)?;
        let mut path = parsed.path;
        if parsed.scheme.is_none() && parsed.authority.is_none() && !path.starts_with('/') {
            path = normalize(&format!("{}/{path}", self.home));
        }
        let path = fold_slashes(&path);
        if parsed.scheme.is_some()
            && (parsed.authority.is_some() || self.default_fs.authority.is_none())
        {
            return Ok(Qualified {
                fs: FileSystem {
                    scheme: parsed.scheme,
                    authority: parsed.authority,
                },
                path,
            });
        }
        Ok(Qualified {
            fs: FileSystem {
                scheme: parsed.scheme.or_else(|| self.default_fs.scheme.clone()),
                authority: parsed
                    .authority
                    .or_else(|| self.default_fs.authority.clone()),
            },
            path,
        })
    }

    /// Every path an `-input` value names.
    pub fn inputs(&self, list: &str) -> Result<Vec<Qualified>, PathError> {
        split_inputs(list)
            .into_iter()
            .map(|part| self.qualify(part))
            .collect()
    }
}

/// Expands `{a,b}` alternatives (nested too) into whole patterns; `None`
/// when a brace is not closed or there would be more than `limit`.
fn expand_braces(pattern: &str, limit: usize) -> Option<Vec<String>> {
    let Some(open) = pattern.find('{') else {
        return Some(vec![pattern.to_string()]);
    };
    let mut depth = 0;
    let mut alternatives = Vec::new();
    let mut start = open + 1;
    let mut close = None;
    for (i, c) in pattern[open..].char_indices().map(|(i, c)| (open + i, c)) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    alternatives.push(&pattern[start..i]);
                    close = Some(i);
                    break;
                }
            }
            ',' if depth == 1 => {
                alternatives.push(&pattern[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    let close = close?;
    let mut out = Vec::new();
    for alternative in alternatives {
        let joined = format!("{}{alternative}{}", &pattern[..open], &pattern[close + 1..]);
        out.extend(expand_braces(&joined, limit)?);
        if out.len() > limit {
            return None;
        }
    }
    Some(out)
}

/// Does the glob segment `pattern` (`*`, `?`, `[…]`, `\x`) match `name`?
fn segment_matches(pattern: &[char], name: &[char]) -> bool {
    match pattern.first() {
        None => name.is_empty(),
        Some('*') => (0..=name.len()).any(|skip| segment_matches(&pattern[1..], &name[skip..])),
        Some('?') => !name.is_empty() && segment_matches(&pattern[1..], &name[1..]),
        Some('[') => {
            let Some(end) = pattern
                .iter()
                .skip(1)
                .position(|&c| c == ']')
                .map(|i| i + 1)
            else {
                return name.first() == Some(&'[') && segment_matches(&pattern[1..], &name[1..]);
            };
            let Some(&c) = name.first() else { return false };
            let mut set = &pattern[1..end];
            let negated = matches!(set.first(), Some('^' | '!'));
            if negated {
                set = &set[1..];
            }
            let mut hit = false;
            let mut i = 0;
            while i < set.len() {
                if i + 2 < set.len() && set[i + 1] == '-' {
                    hit |= set[i] <= c && c <= set[i + 2];
                    i += 3;
                } else {
                    hit |= set[i] == c;
                    i += 1;
                }
            }
            hit != negated && segment_matches(&pattern[end + 1..], &name[1..])
        }
        Some('\\') if pattern.len() > 1 => {
            name.first() == Some(&pattern[1]) && segment_matches(&pattern[2..], &name[1..])
        }
        Some(&c) => name.first() == Some(&c) && segment_matches(&pattern[1..], &name[1..]),
    }
}

/// Could the input pattern `input` name `output`, a path inside it, or a
/// path that holds it? Alternatives past a thousand, or a brace left open,
/// are taken to match: refusing too much is safe.
fn overlaps(output: &Qualified, input: &Qualified) -> bool {
    if !output.fs.may_be(&input.fs) {
        return false;
    }
    let out: Vec<Vec<char>> = segments(&output.path)
        .map(|s| s.chars().collect())
        .collect();
    let Some(patterns) = expand_braces(&input.path, 1000) else {
        return true;
    };
    patterns.iter().any(|pattern| {
        segments(pattern)
            .zip(&out)
            .all(|(p, o)| segment_matches(&p.chars().collect::<Vec<_>>(), o))
    })
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// Characters that make `hadoop fs` expand a path as a glob.
const GLOB_CHARS: &[char] = &['*', '?', '[', ']', '{', '}', '\\'];

/// Settings whose value is more job input (comma lists).
const INPUT_SETTINGS: &[&str] = &[
    "mapreduce.input.fileinputformat.inputdir",
    "mapred.input.dir",
];
/// Settings that would move the job's output away from `--output`.
const OUTPUT_SETTINGS: &[&str] = &[
    "mapreduce.output.fileoutputformat.outputdir",
    "mapred.output.dir",
];
/// Settings that name the default file system.
const DEFAULT_FS_SETTINGS: &[&str] = &["fs.defaultFS", "fs.default.name"];

/// A job's output, inputs and `-D` settings, checked before anything runs.
#[derive(Clone, Debug)]
pub struct Job {
    pub output: String,
    pub inputs: Vec<String>,
    /// `KEY=VALUE` as given to `-D`.
    pub settings: Vec<String>,
}

/// What a checked job resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub output: Qualified,
    /// Every input path, `-D` inputs included.
    pub inputs: Vec<Qualified>,
}

/// The environment variable Hadoop Streaming sets in a task for a
/// setting: every character but ASCII letters and digits made `_`.
pub fn streaming_env_name(key: &str) -> String {
    key.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The `KEY=VALUE` settings of a job as `(key, value)`, or the first one
/// that is refused: not `KEY=VALUE`, or a key whose task environment
/// variable (every character but letters and digits made `_`, as Hadoop
/// Streaming names them) has no lower-case letter. The variables the
/// system, the loader and the shell read are upper case (`PATH`,
/// `LD_PRELOAD`, `IFS`); Hadoop's settings are not.
pub fn check_settings(settings: &[String]) -> Result<Vec<(&str, &str)>, PathError> {
    settings
        .iter()
        .map(|setting| {
            let Some((key, value)) = setting.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(PathError(format!("-D takes KEY=VALUE, not {setting:?}")));
            };
            let env = streaming_env_name(key);
            if !env.chars().any(|c| c.is_ascii_lowercase()) {
                return Err(PathError(format!(
                    "-D {key} would reach the tasks as the environment variable {env} (Hadoop \
                     Streaming makes every setting one), which the system reads: refused"
                )));
            }
            Ok((key, value))
        })
        .collect()
}

impl Job {
    /// Checks the job as Hadoop would run it, with `home` the working
    /// directory and `default_fs` the default file system when known (a
    /// `-D fs.defaultFS` wins). The output must be a literal path that is
    /// not a root, not the home directory nor one holding it, holds no `..`
    /// above the root, and neither equals, holds nor lies inside any input; each setting must be `KEY=VALUE` whose
    /// task environment variable is not one the system reads (those are
    /// upper case: `LD.PRELOAD` becomes `LD_PRELOAD`).
    pub fn check(&self, home: &str, default_fs: Option<FileSystem>) -> Result<Checked, PathError> {
        let mut default_fs = default_fs.unwrap_or_default();
        let mut input_lists: Vec<&str> = self.inputs.iter().map(String::as_str).collect();
        for (key, value) in check_settings(&self.settings)? {
            if OUTPUT_SETTINGS.contains(&key) {
                return Err(PathError(format!(
                    "-D {key} would move the output: give it with --output"
                )));
            }
            if INPUT_SETTINGS.contains(&key) {
                input_lists.push(value);
            }
            if DEFAULT_FS_SETTINGS.contains(&key) {
                default_fs = FileSystem::parse(value)?;
            }
        }
        let resolver = Resolver {
            default_fs,
            home: home.to_string(),
        };
        if self.output.contains(GLOB_CHARS) {
            return Err(PathError(format!(
                "output {} holds glob characters, which hadoop fs would expand: give a literal path",
                self.output
            )));
        }
        let output = resolver.qualify(&self.output)?;
        if segments(&output.path).next().is_none() {
            return Err(PathError(format!(
                "output {} is the root directory ({output}): give the job a directory of its own",
                self.output
            )));
        }
        let home = resolver.qualify(&resolver.home)?;
        if home.fs.may_be(&output.fs)
            && segments(&output.path).count() <= segments(&home.path).count()
            && segments(&output.path)
                .zip(segments(&home.path))
                .all(|(o, h)| o == h)
        {
            return Err(PathError(format!(
                "output {} ({output}) is or holds the home directory {home}: give the job a \
                 directory of its own",
                self.output
            )));
        }
        if segments(&output.path).any(|s| s == "..") {
            return Err(PathError(format!(
                "output {} ({output}) climbs above the root",
                self.output
            )));
        }
        let mut inputs = Vec::new();
        for list in input_lists {
            for input in resolver.inputs(list)? {
                if overlaps(&output, &input) {
                    return Err(PathError(format!(
                        "output {} ({output}) overlaps the input {input} (the same path, or one \
                         inside the other); it would be replaced or counted: choose another output",
                        self.output
                    )));
                }
                inputs.push(input);
            }
        }
        Ok(Checked { output, inputs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver() -> Resolver {
        Resolver {
            default_fs: FileSystem::parse("hdfs://nn:8020").unwrap(),
            home: "/user/alice".into(),
        }
    }

    fn job(output: &str, inputs: &[&str], settings: &[&str]) -> Result<Checked, PathError> {
        Job {
            output: output.into(),
            inputs: inputs.iter().map(|s| s.to_string()).collect(),
            settings: settings.iter().map(|s| s.to_string()).collect(),
        }
        .check("/user/alice", None)
    }

    #[test]
    fn forms_resolve_as_hadoop_resolves_them() {
        // A few of tests/data/hadoop-paths.txt, whose answers the e2e test
        // takes from Hadoop's own classes.
        let r = resolver();
        for (form, want) in [
            ("hdfs:/data/logs", "hdfs://nn:8020/data/logs"),
            ("//data/logs", "hdfs://data/logs"),
            ("/../data", "hdfs://nn:8020/../data"),
            ("../../..", "hdfs://nn:8020/.."),
            ("s3a:/logs", "s3a://nn:8020/logs"),
            ("hdfs://nn:8020", "hdfs://nn:8020"),
        ] {
            assert_eq!(r.qualify(form).unwrap().to_string(), want, "{form}");
        }
        assert!(r.qualify("hdfs:logs").is_err());
        assert_eq!(split_inputs("/a,{b,c},d}e,f"), ["/a", "{b,c}", "d}e", "f"]);
    }

    #[test]
    fn the_guard_refuses_every_way_to_name_an_input_as_output() {
        for (output, inputs, settings) in [
            ("/data/logs", &["/other,/data/logs"][..], &[][..]),
            ("hdfs:/data/logs", &["/data/logs"], &[]),
            ("/data/logs", &["hdfs:/data/logs"], &[]),
            (".", &["/user/alice/logs"], &[]),
            ("/data", &["/data/{a,b}/x"], &[]),
            ("/data/b", &["/data/{a,b}"], &[]),
            ("/data/logs/x", &["/data/lo*"], &[]),
            (
                "/out",
                &["/in"],
                &["mapreduce.input.fileinputformat.inputdir=/x,/out/y"],
            ),
            ("/", &["/in"], &[]),
            ("hdfs://nn:8020/", &["/in"], &[]),
            ("/out*", &["/in"], &[]),
            ("/../x", &["/in"], &[]),
            ("/out", &["/in"], &["LD.PRELOAD=/x.so"]),
            ("/out", &["/in"], &["PATH=/tmp"]),
            ("/out", &["/in"], &["mapred.output.dir=/in"]),
            ("/out", &["/in"], &["novalue"]),
            (".", &["/in"], &[]),
            ("/user", &["/in"], &[]),
        ] {
            assert!(
                job(output, inputs, settings).is_err(),
                "{output} {inputs:?} {settings:?}"
            );
        }
        for (output, inputs, settings) in [
            ("/data/logs_out", &["/data/logs"][..], &[][..]),
            ("hdfs://other/data/logs", &["hdfs://nn:8020/data/logs"], &[]),
            ("/data/c", &["/data/{a,b}"], &[]),
            ("/data/x", &["/data/lo*"], &[]),
            (
                "/out",
                &["/in"],
                &[
                    "mapreduce.job.queuename=etl",
                    "stream.map.output.field.separator=:",
                ],
            ),
        ] {
            assert!(
                job(output, inputs, settings).is_ok(),
                "{output} {inputs:?} {settings:?}"
            );
        }
        // With the default file system named, other clusters are apart.
        let checked = job("hdfs://a/x", &["hdfs://b/x"], &["fs.defaultFS=hdfs://a"]).unwrap();
        assert_eq!(checked.output.to_string(), "hdfs://a/x");
        assert!(job("/x", &["hdfs://a/x"], &["fs.defaultFS=hdfs://a"]).is_err());
        assert!(job("/x", &["hdfs://b/x"], &["fs.defaultFS=hdfs://a"]).is_ok());
    }
}
