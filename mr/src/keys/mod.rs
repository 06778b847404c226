//! Group-by keys for `logmr map --by`: the level, a time bucket, the source
//! and the message template of a line, alone or joined into one key.
//!
//! A composite key is its parts in the order given, joined with [`JOINER`]
//! (`|`). It stays one Hadoop key field: a TAB, CR or newline inside a part
//! becomes a space and a `|` becomes `/`, so a key always splits back into
//! its parts at every `|`. A line without a timestamp gets the time
//! part [`NO_TIME`]; a line without a source gets [`NO_SOURCE`]. No line is
//! dropped.

pub mod names;
pub mod source;
pub mod template;

use std::fmt;

use crate::civil::{Bucket, Stamp};
use crate::layout::{Layout, Line, stamp};
use crate::level::Detector;
use crate::level::table::LevelTable;

/// Between the parts of a composite key.
pub const JOINER: u8 = b'|';
/// The time part of a line without a recognised timestamp.
pub const NO_TIME: &[u8] = b"-";
/// The source part of a line without a recognised source.
pub const NO_SOURCE: &[u8] = b"-";

/// One part of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Level,
    Time(Bucket),
    Source,
    Template,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Part::Level => "level",
            Part::Time(bucket) => bucket.name(),
            Part::Source => "source",
            Part::Template => "template",
        }
    }
}

/// The parts of a key, as given to `--by`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySpec(Vec<Part>);

/// A `--by` list that could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError(pub String);

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

impl Default for KeySpec {
    fn default() -> Self {
        KeySpec(vec![Part::Level])
    }
}

impl KeySpec {
    /// Parses `level,hour`: a comma-separated list of `level`, `minute`,
    /// `hour`, `day`, `source` and `template`, each at most once, with at
    /// most one time bucket.
    pub fn parse(text: &str) -> Result<KeySpec, SpecError> {
        let mut parts = Vec::new();
        for name in text.split(',').map(str::trim) {
            let part = match name {
                "level" => Part::Level,
                "minute" => Part::Time(Bucket::Minute),
                "hour" => Part::Time(Bucket::Hour),
                "day" => Part::Time(Bucket::Day),
                "source" => Part::Source,
                "template" => Part::Template,
                _ => {
                    return Err(SpecError(format!(
                        "unknown key part {name:?}: use level, minute, hour, day, source or template"
                    )));
                }
            };
            if parts.contains(&part) {
                return Err(SpecError(format!("{name} is given twice")));
            }
            if matches!(part, Part::Time(_)) && parts.iter().any(|p| matches!(p, Part::Time(_))) {
                return Err(SpecError("at most one of minute, hour and day".into()));
            }
            parts.push(part);
        }
        Ok(KeySpec(parts))
    }

    /// Only the level: the fast path of `logmr map`.
    pub fn is_level_only(&self) -> bool {
        self.0 == [Part::Level]
    }

    pub fn parts(&self) -> &[Part] {
        &self.0
    }

    /// Where the template part is among the parts, if there is one.
    pub fn template_part(&self) -> Option<usize> {
        self.0.iter().position(|p| *p == Part::Template)
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.0.iter().map(|p| p.name()).collect();
        f.write_str(&names.join(","))
    }
}

/// The bytes a key of `spec` can hold, with `table`'s level keys: the
/// level keys' bytes, a time bucket's digits, `-`, `T` and `:`, any byte
/// but TAB, CR, LF and `|` in a source or template, and `|` between parts.
pub fn key_bytes(spec: &KeySpec, table: &LevelTable) -> [bool; 256] {
    let mut held = [false; 256];
    for part in spec.parts() {
        match part {
            Part::Level => {
                for id in 0..table.key_count() {
                    for &b in table.key(id) {
                        held[usize::from(b)] = true;
                    }
                }
            }
            Part::Time(_) => {
                for &b in b"0123456789-T:".iter().chain(NO_TIME) {
                    held[usize::from(b)] = true;
                }
            }
            Part::Source | Part::Template => {
                for (b, slot) in held.iter_mut().enumerate() {
                    *slot |= !matches!(b as u8, b'\t' | b'\r' | b'\n' | JOINER);
                }
            }
        }
    }
    if spec.parts().len() > 1 {
        held[usize::from(JOINER)] = true;
    }
    held
}

/// Hadoop splits a map output line at the first occurrence of the
/// separator: it must not occur inside a key, nor start inside one and end
/// in the separator written after it. Both hold exactly when the separator
/// has a byte that no key of `spec` holds (the first such byte in a line is
/// the separator's own); otherwise keys would be cut, and lines lost.
pub fn check_separator(
    spec: &KeySpec,
    table: &LevelTable,
    separator: &[u8],
) -> Result<(), SpecError> {
    let held = key_bytes(spec, table);
    if separator.iter().any(|&b| !held[usize::from(b)]) {
        return Ok(());
    }
    let what = if spec
        .parts()
        .iter()
        .any(|p| matches!(p, Part::Source | Part::Template))
    {
        "every byte but TAB, CR and LF"
    } else {
        "only the level keys' letters, the time's digits, -, T and :, and | between parts"
    };
    Err(SpecError(format!(
        "the separator {:?} can occur inside keys of --by {spec} (they hold {what}): Hadoop splits \
         each map output line at the first separator and would cut those keys; use a separator \
         with a byte keys never hold, such as TAB (the default)",
        String::from_utf8_lossy(separator)
    )))
}

/// Builds keys by a [`KeySpec`]. Allocation-free per line: keys are written
/// into a caller's reused buffer, or, when they have only level and time
/// parts, given as one number ([`KeyMaker::packed_key`]).
#[derive(Clone, Debug)]
pub struct KeyMaker {
    spec: KeySpec,
    /// A source or template part needs the token after the level word.
    needs_source: bool,
    /// Every part is the level or a time bucket.
    packable: bool,
    /// The time part's bucket, if the spec has one.
    time: Option<Bucket>,
    /// The year of timestamps that leave it out (syslog, logcat).
    year: u16,
}

/// A line with the places of its level word and of its source, as
/// [`KeyMaker::write_key`] finds them.
type LineParts<'l, 'a> = (&'l Line<'a>, Option<(usize, usize)>, Option<(usize, usize)>);

/// Where the level's key id sits in a packed key, above the stamp.
const PACKED_LEVEL_SHIFT: u32 = 40;

impl KeyMaker {
    pub fn new(spec: KeySpec, year: u16) -> KeyMaker {
        let needs_source = spec
            .0
            .iter()
            .any(|p| matches!(p, Part::Source | Part::Template));
        let packable = spec
            .0
            .iter()
            .all(|p| matches!(p, Part::Level | Part::Time(_)));
        let time = spec.0.iter().find_map(|p| match p {
            Part::Time(bucket) => Some(*bucket),
            _ => None,
        });
        KeyMaker {
            spec,
            needs_source,
            packable,
            time,
            year,
        }
    }

    /// Are the keys only level and time parts, so that
    /// [`KeyMaker::packed_key`] gives them?
    pub fn is_packable(&self) -> bool {
        self.packable
    }

    /// The key of `line` as one number, and the line's level key id; for a
    /// [packable](KeyMaker::is_packable) spec only. Equal numbers are equal
    /// keys, and [`KeyMaker::write_packed`] writes what
    /// [`KeyMaker::write_key`] writes for the line.
    #[inline]
    pub fn packed_key(&self, detector: &Detector, line: &[u8]) -> (u64, crate::level::KeyId) {
        debug_assert!(self.packable);
        let level = detector.detect(line);
        let mut packed = (level as u64) << PACKED_LEVEL_SHIFT;
        if let Some(bucket) = self.time {
            packed |= stamp::find(line, self.year).map_or(0, |s| s.packed(bucket));
        }
        (packed, level)
    }

    /// Writes the key a [`KeyMaker::packed_key`] number stands for into
    /// `out` (cleared first).
    pub fn write_packed(&self, detector: &Detector, packed: u64, out: &mut Vec<u8>) {
        out.clear();
        let level = (packed >> PACKED_LEVEL_SHIFT) as crate::level::KeyId;
        let stamp = Stamp::unpacked(packed & ((1 << PACKED_LEVEL_SHIFT) - 1));
        self.write_parts(detector, level, stamp, None, out);
    }

    pub fn spec(&self) -> &KeySpec {
        &self.spec
    }

    /// Writes the key of `line` into `out` (cleared first) and returns the
    /// line's level key id, for the unknown-level counter.
    pub fn write_key(
        &self,
        detector: &Detector,
        line: &[u8],
        out: &mut Vec<u8>,
    ) -> crate::level::KeyId {
        out.clear();
        let stamp = self.time.and_then(|_| stamp::find(line, self.year));
        if !self.needs_source {
            let level = detector.detect(line);
            self.write_parts(detector, level, stamp, None, out);
            return level;
        }
        let line = Line::new(line);
        let (level, span) = detector.locate(&line);
        let source = match line.layout() {
            Layout::Delimited(delimited) => delimited.source(line.bytes(), span),
            Layout::Apache(apache) => apache.source(),
            _ => span.and_then(|span| source::after_level(line.bytes(), span)),
        };
        self.write_parts(detector, level, stamp, Some((&line, span, source)), out);
        level
    }

    /// Writes the parts of a key: the level, the stamp, and the source and
    /// template of `line` (given when the spec has them).
    fn write_parts(
        &self,
        detector: &Detector,
        level: crate::level::KeyId,
        stamp: Option<Stamp>,
        line: Option<LineParts<'_, '_>>,
        out: &mut Vec<u8>,
    ) {
        for (i, part) in self.spec.0.iter().enumerate() {
            if i > 0 {
                out.push(JOINER);
            }
            let start = out.len();
            match (part, line) {
                (Part::Level, _) => out.extend_from_slice(detector.table().key(level)),
                (Part::Time(bucket), _) => match stamp {
                    Some(stamp) => stamp.write(*bucket, out),
                    None => out.extend_from_slice(NO_TIME),
                },
                (Part::Source, Some((line, _, source))) => match source::find(line, source) {
                    Some(found) if !found.is_empty() => out.extend_from_slice(found),
                    _ => out.extend_from_slice(NO_SOURCE),
                },
                (Part::Template, Some((line, span, source))) => {
                    template::write(template::message(line, span, source), out)
                }
                (Part::Source | Part::Template, None) => {
                    unreachable!("only a key with a source or template part reads the line")
                }
            }
            for b in &mut out[start..] {
                match *b {
                    b'\t' | b'\r' | b'\n' => *b = b' ',
                    JOINER => *b = b'/',
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(spec: &str, line: &str) -> String {
        let maker = KeyMaker::new(KeySpec::parse(spec).unwrap(), 2024);
        let mut out = Vec::new();
        maker.write_key(&Detector::default(), line.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn composite_keys() {
        let line = "2024-12-10 14:33:21 [ERROR] machine-02: failed to write block 17, disk error";
        assert_eq!(key("level", line), "ERROR");
        assert_eq!(key("level,hour", line), "ERROR|2024-12-10T14");
        assert_eq!(key("minute,level", line), "2024-12-10T14:33|ERROR");
        assert_eq!(key("day", line), "2024-12-10");
        assert_eq!(key("source", line), "machine-02");
        assert_eq!(
            key("level,template", line),
            "ERROR|failed to write block <NUM>, disk error"
        );
        assert_eq!(key("level,hour,source", "no level, no time"), "UNKNOWN|-|-");
        assert_eq!(key("template", "no level | a\tpipe"), "no level / a pipe");
    }

    proptest::proptest! {
        #[test]
        fn a_packed_key_writes_what_write_key_writes(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "2024-12-10 14:33:21", "081109 203615", "Jun  4 05:06:07", "1733841202",
                "[ERROR]", "INFO", "warn", "level=debug", "machine-02:", "x|y\t",
                "2024-13-10 14:33:21", " ", "12-10 14:33:21.5", "{\"level\":\"error\"}",
            ]), 0..6),
            spec in proptest::sample::select(vec![
                "level", "hour", "level,minute", "day,level", "minute",
            ]),
        ) {
            let line = parts.concat();
            let maker = KeyMaker::new(KeySpec::parse(spec).unwrap(), 2024);
            let detector = Detector::default();
            let (mut written, mut packed_text) = (Vec::new(), Vec::new());
            let level = maker.write_key(&detector, line.as_bytes(), &mut written);
            let (packed, packed_level) = maker.packed_key(&detector, line.as_bytes());
            maker.write_packed(&detector, packed, &mut packed_text);
            proptest::prop_assert_eq!(level, packed_level);
            proptest::prop_assert_eq!(bstr::BStr::new(&written), bstr::BStr::new(&packed_text));
        }
    }

    #[test]
    fn only_level_and_time_keys_are_packed() {
        for (spec, packable) in [
            ("level,hour", true),
            ("day", true),
            ("level,source", false),
            ("template", false),
        ] {
            assert_eq!(
                KeyMaker::new(KeySpec::parse(spec).unwrap(), 2024).is_packable(),
                packable,
                "{spec}"
            );
        }
    }

    #[test]
    fn specs() {
        assert!(KeySpec::parse("level").unwrap().is_level_only());
        assert_eq!(
            KeySpec::parse("level, hour").unwrap().to_string(),
            "level,hour"
        );
        for bad in ["", "levels", "level,level", "hour,minute"] {
            assert!(KeySpec::parse(bad).is_err(), "{bad}");
        }
    }
}
