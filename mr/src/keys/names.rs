//! The names of a key's parts, for output that names them (`--format
//! json`, a CSV header, a chart's title): from the `--by` list when it is
//! known (`logmr run`), else read from the keys themselves (`logmr top` and
//! `logmr report` get only `KEY<TAB>COUNT` lines). Both give the same names
//! for the same keys: a part whose every value is a time bucket of one step
//! (or `-`) is that bucket, a level key is the level, a template id of 12
//! hex digits is `template_id` with the `template` text after it, text with
//! spaces or masks is a `template`, anything else a `source`.

use ahash::AHashSet;

use super::{JOINER, KeySpec, NO_TIME, Part};
use crate::civil::Bucket;
use crate::learn::Template;
use crate::level::LevelTable;

/// What one part of a key holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Name {
    Level,
    Time(Bucket),
    Source,
    /// A learned template's id (`af602d9b55d8`); its text follows.
    TemplateId,
    Template,
    /// Keys whose parts could not be named (not all of one shape).
    Key,
}

impl Name {
    pub fn as_str(self) -> &'static str {
        match self {
            Name::Level => "level",
            Name::Time(bucket) => bucket.name(),
            Name::Source => "source",
            Name::TemplateId => "template_id",
            Name::Template => "template",
            Name::Key => "key",
        }
    }
}

/// The names of the parts of keys made by `spec`; with `learned`, a
/// template part is written as its id and its text (`logmr run`,
/// `logmr templates`).
pub fn of_spec(spec: &KeySpec, learned: bool) -> Vec<Name> {
    let mut names = Vec::new();
    for part in spec.parts() {
        match part {
            Part::Level => names.push(Name::Level),
            Part::Time(bucket) => names.push(Name::Time(*bucket)),
            Part::Source => names.push(Name::Source),
            Part::Template if learned => names.extend([Name::TemplateId, Name::Template]),
            Part::Template => names.push(Name::Template),
        }
    }
    names
}

/// What the values of one position have been so far.
#[derive(Clone, Debug)]
struct Seen {
    /// Every value is a time bucket of this step, or `-`; `None` before
    /// the first bucket.
    time: Option<Option<Bucket>>,
    level: bool,
    template_id: bool,
    /// A value has a space or a mask (`<NUM>`): text, not a name.
    text: bool,
}

impl Default for Seen {
    fn default() -> Self {
        Seen {
            time: Some(None),
            level: true,
            template_id: true,
            text: false,
        }
    }
}

/// Reads keys one by one and names their parts.
#[derive(Debug)]
pub struct Namer {
    levels: AHashSet<Vec<u8>>,
    parts: Option<usize>,
    /// The keys had different numbers of parts.
    ragged: bool,
    seen: Vec<Seen>,
}

impl Default for Namer {
    fn default() -> Self {
        let table = LevelTable::builtin();
        Namer {
            levels: (0..table.key_count())
                .map(|id| table.key(id as _).to_vec())
                .collect(),
            parts: None,
            ragged: false,
            seen: Vec::new(),
        }
    }
}

impl Namer {
    pub fn add(&mut self, key: &[u8]) {
        if self.ragged {
            return;
        }
        let count = key.split(|&b| b == JOINER).count();
        if *self.parts.get_or_insert(count) != count {
            self.ragged = true;
            return;
        }
        self.seen.resize_with(count, Seen::default);
        for (part, seen) in key.split(|&b| b == JOINER).zip(&mut self.seen) {
            if let Some(step) = seen.time {
                seen.time = if part == NO_TIME {
                    Some(step)
                } else {
                    match std::str::from_utf8(part).ok().and_then(Bucket::parse_label) {
                        Some((_, this)) if step.is_none_or(|s| s == this) => Some(Some(this)),
                        _ => None,
                    }
                };
            }
            seen.level &= self.levels.contains(part);
            seen.template_id &= Template::is_id(part);
            seen.text |= part.iter().any(|&b| b == b' ' || b == b'<');
        }
    }

    /// The names of the parts of the keys added: [`Name::Key`] alone when
    /// they were none, or not all of one number of parts.
    pub fn names(&self) -> Vec<Name> {
        if self.ragged || self.seen.is_empty() {
            return vec![Name::Key];
        }
        let mut names: Vec<Name> = Vec::with_capacity(self.seen.len());
        for (i, seen) in self.seen.iter().enumerate() {
            let name = if names.last() == Some(&Name::TemplateId) {
                Name::Template
            } else if let Some(time) = seen.time {
                // Every value `-`: no time, no source, nothing to name.
                time.map_or(Name::Key, Name::Time)
            } else if seen.template_id && i + 1 < self.seen.len() {
                Name::TemplateId
            } else if seen.level {
                Name::Level
            } else if seen.text {
                Name::Template
            } else {
                Name::Source
            };
            names.push(name);
        }
        names
    }
}

/// The names of the parts of `keys`, read from their values.
pub fn infer<'a>(keys: impl IntoIterator<Item = &'a [u8]>) -> Vec<Name> {
    let mut namer = Namer::default();
    for key in keys {
        namer.add(key);
    }
    namer.names()
}

/// The parts a chart is "per": `level and hour`, `level, source and hour`.
pub fn per(names: &[Name]) -> String {
    let named = names.iter().any(|n| *n != Name::Key);
    let words: Vec<&str> = names
        .iter()
        .filter(|n| **n != Name::TemplateId && !(named && **n == Name::Key))
        .map(|n| n.as_str())
        .collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_of(keys: &[&str]) -> Vec<&'static str> {
        infer(keys.iter().map(|k| k.as_bytes()))
            .into_iter()
            .map(Name::as_str)
            .collect()
    }

    #[test]
    fn the_keys_name_their_parts_whatever_comes_first() {
        assert_eq!(
            names_of(&["DEBUG|-", "INFO|2024-12-10T14", "ERROR|2024-12-10T15"]),
            ["level", "hour"]
        );
        assert_eq!(names_of(&["2024-12-10|WARN", "-|WARN"]), ["day", "level"]);
        assert_eq!(
            names_of(&["ERROR|af602d9b55d8|session opened for user <VAR>"]),
            ["level", "template_id", "template"]
        );
        assert_eq!(
            names_of(&["INFO|machine-07", "WARN|machine-01"]),
            ["level", "source"]
        );
        assert_eq!(
            names_of(&["INFO|disk usage at <NUM>%"]),
            ["level", "template"]
        );
        assert_eq!(names_of(&["INFO", "WARN|x"]), ["key"]);
        // A part that is `-` in every key names nothing, and the title
        // leaves it out.
        assert_eq!(names_of(&["INFO|-", "WARN|-"]), ["level", "key"]);
        assert_eq!(per(&infer([&b"INFO|-"[..]])), "level");
        assert_eq!(names_of(&[]), ["key"]);
        // Two steps in one position are not one time part.
        assert_eq!(
            names_of(&["2024-12-10|WARN", "2024-12-10T01|WARN"]),
            ["source", "level"]
        );
    }

    #[test]
    fn the_spec_and_the_keys_agree() {
        for (spec, learned, key) in [
            ("level,hour", false, "INFO|2024-12-10T14"),
            ("source,minute", false, "web-1|2024-12-10T14:01"),
            ("level,template", true, "WARN|0123456789ab|disk at <NUM>%"),
            ("template", false, "disk at <NUM>%"),
            ("day", false, "2024-12-10"),
        ] {
            let spec = KeySpec::parse(spec).unwrap();
            assert_eq!(of_spec(&spec, learned), infer([key.as_bytes()]), "{spec}");
        }
        assert_eq!(
            per(&of_spec(&KeySpec::parse("level,template").unwrap(), true)),
            "level and template"
        );
        assert_eq!(
            per(&of_spec(
                &KeySpec::parse("level,source,hour").unwrap(),
                false
            )),
            "level, source and hour"
        );
    }
}
