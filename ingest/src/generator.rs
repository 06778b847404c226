//! The log generator: deterministic lines of one layout (or all of them
//! mixed), with a level mix, a machine count and a synthetic clock. It keeps
//! the per-level counts of what it wrote: the ground truth a pipeline's
//! result is checked against.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::format::{Fields, LAYOUTS, Layout, MESSAGES, write_line};
use logmr::civil::{Civil, civil};

/// The original generator's mix.
pub const DEFAULT_WEIGHTS: &str = "INFO=60,WARN=20,ERROR=10,DEBUG=10";

/// A small, fast, deterministic PRNG (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`, for `n` below 2^32.
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }
}

/// Which layouts to write.
#[derive(Clone, Copy, Debug)]
pub enum Formats {
    One(&'static Layout),
    /// Every layout, chosen afresh for each line.
    Mixed,
}

impl Formats {
    /// `seed`, `log4j`, …, or `mixed`.
    pub fn parse(name: &str) -> Result<Formats> {
        if name == "mixed" {
            return Ok(Formats::Mixed);
        }
        crate::format::layout(name)
            .map(Formats::One)
            .ok_or_else(|| {
                let names: Vec<&str> = LAYOUTS.iter().map(|l| l.name).collect();
                Error::Usage(format!(
                    "unknown format {name:?}; one of: {}, mixed",
                    names.join(", ")
                ))
            })
    }
}

/// Parses `KEY=WEIGHT,…` (keys as `logmr map` prints them).
pub fn parse_weights(spec: &str) -> Result<Vec<(String, u32)>> {
    let mut weights = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (key, weight) = item
            .split_once('=')
            .ok_or_else(|| Error::Usage(format!("level weight {item:?} is not KEY=WEIGHT")))?;
        let weight: u32 = weight.trim().parse().map_err(|_| {
            Error::Usage(format!("weight {weight:?} of {key} is not a whole number"))
        })?;
        let key = key.trim().to_ascii_uppercase();
        if weights.iter().any(|(k, _)| *k == key) {
            return Err(Error::Usage(format!("level {key} is weighted twice")));
        }
        weights.push((key, weight));
    }
    if weights.iter().all(|(_, w)| *w == 0) {
        return Err(Error::Usage(
            "the level weights must not all be zero".into(),
        ));
    }
    Ok(weights)
}

/// Settings of a generator.
#[derive(Clone, Debug)]
pub struct GenConfig {
    pub formats: Formats,
    pub weights: Vec<(String, u32)>,
    /// Levels a layout cannot spell are an error when true, and are left
    /// out of that layout's mix when false (the default mix).
    pub strict_weights: bool,
    pub machines: u32,
    /// Unix milliseconds of the first line.
    pub start_ms: i64,
    pub interval_ms: u64,
    pub seed: u64,
}

/// One layout's level choices: (canonical key, spelling, cumulative weight).
struct Plan {
    layout: &'static Layout,
    choices: Vec<(&'static str, &'static str, u64)>,
}

impl Plan {
    fn pick(&self, rng: &mut Rng) -> (&'static str, &'static str) {
        let total = self.choices.last().map_or(1, |c| c.2);
        let x = rng.below(total);
        let i = self.choices.partition_point(|c| c.2 <= x);
        (self.choices[i].0, self.choices[i].1)
    }
}

/// What [`Generator::next_line`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineInfo {
    /// 1-based machine number.
    pub machine: u32,
    pub key: &'static str,
}

/// A deterministic line generator.
pub struct Generator {
    plans: Vec<Plan>,
    rng: Rng,
    machines: u32,
    start_ms: i64,
    interval_ms: u64,
    lines: u64,
    clock: (i64, Civil),
    counts: BTreeMap<&'static str, u64>,
}

impl Generator {
    pub fn new(cfg: &GenConfig) -> Result<Generator> {
        if cfg.machines == 0 || cfg.machines > 99 {
            return Err(Error::Usage(
                "the number of machines must be 1 to 99".into(),
            ));
        }
        let layouts: Vec<&'static Layout> = match cfg.formats {
            Formats::One(layout) => vec![layout],
            Formats::Mixed => LAYOUTS.iter().collect(),
        };
        let mut plans = Vec::new();
        for layout in layouts {
            let mut total = 0u64;
            let mut choices = Vec::new();
            for (key, weight) in &cfg.weights {
                match layout.spellings.iter().find(|(k, _)| k == key) {
                    Some(&(k, spelling)) if *weight > 0 => {
                        total += u64::from(*weight);
                        choices.push((k, spelling, total));
                    }
                    Some(_) => {}
                    None if cfg.strict_weights && matches!(cfg.formats, Formats::One(_)) => {
                        let keys: Vec<&str> = layout.spellings.iter().map(|s| s.0).collect();
                        return Err(Error::Usage(format!(
                            "format {} has no level {key}; it has {}",
                            layout.name,
                            keys.join(", ")
                        )));
                    }
                    None => {}
                }
            }
            if !choices.is_empty() {
                plans.push(Plan { layout, choices });
            }
        }
        if plans.is_empty() {
            return Err(Error::Usage(
                "no format can write any of the weighted levels".into(),
            ));
        }
        if cfg.strict_weights {
            for (key, weight) in &cfg.weights {
                let spelled = plans.iter().any(|p| p.choices.iter().any(|c| c.0 == key));
                if *weight > 0 && !spelled {
                    return Err(Error::Usage(format!("no format has a level {key}")));
                }
            }
        }
        Ok(Generator {
            plans,
            rng: Rng::new(cfg.seed),
            machines: cfg.machines,
            start_ms: cfg.start_ms,
            interval_ms: cfg.interval_ms,
            lines: 0,
            clock: (i64::MIN, civil(0)),
            counts: BTreeMap::new(),
        })
    }

    /// The timestamp of line `index` (from 0): never past year 9999, so
    /// never wrapped around to go backwards.
    fn timestamp_of(start_ms: i64, interval_ms: u64, index: u64) -> i64 {
        let offset = i64::try_from(index.saturating_mul(interval_ms)).unwrap_or(i64::MAX);
        start_ms
            .saturating_add(offset)
            .min(logmr::civil::MAX_MILLIS)
    }

    /// Appends the next line, with its newline, to `out`.
    pub fn next_line(&mut self, out: &mut Vec<u8>) -> LineInfo {
        let millis = Self::timestamp_of(self.start_ms, self.interval_ms, self.lines);
        let secs = millis.div_euclid(1000);
        if self.clock.0 != secs {
            self.clock = (secs, civil(millis));
        }
        self.clock.1.millis = millis.rem_euclid(1000) as u32;
        let plan = match self.plans.len() {
            1 => &self.plans[0],
            n => &self.plans[self.rng.below(n as u64) as usize],
        };
        let (key, spelling) = plan.pick(&mut self.rng);
        let machine = 1 + self.rng.below(u64::from(self.machines)) as u32;
        let message = MESSAGES[self.rng.below(MESSAGES.len() as u64) as usize];
        let fields = Fields {
            time: &self.clock.1,
            unix_secs: secs,
            machine,
            level: spelling,
            message,
            number: self.rng.below(100),
        };
        write_line(plan.layout, &fields, out);
        self.lines += 1;
        *self.counts.entry(key).or_default() += 1;
        LineInfo { machine, key }
    }

    /// Lines written so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Lines per level key so far, sorted by key.
    pub fn counts(&self) -> &BTreeMap<&'static str, u64> {
        &self.counts
    }

    /// The counts as `logmr reduce` prints them.
    pub fn summary(&self) -> String {
        self.counts
            .iter()
            .map(|(k, n)| format!("{k}\t{n}\n"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(format: &str, weights: &str) -> GenConfig {
        GenConfig {
            formats: Formats::parse(format).unwrap(),
            weights: parse_weights(weights).unwrap(),
            strict_weights: true,
            machines: 20,
            start_ms: logmr::civil::parse_timestamp("2024-12-10 14:33:21").unwrap(),
            interval_ms: 250,
            seed: 7,
        }
    }

    #[test]
    fn seed_lines_look_like_the_original() {
        let mut g = Generator::new(&config("seed", DEFAULT_WEIGHTS)).unwrap();
        let mut out = Vec::new();
        let info = g.next_line(&mut out);
        let line = String::from_utf8(out).unwrap();
        assert!(
            line.starts_with(&format!("2024-12-10 14:33:21 [{}] machine-", info.key)),
            "{line}"
        );
        assert!(
            line.contains(&format!("machine-{:02}: ", info.machine)),
            "{line}"
        );
        assert!(line.ends_with('\n'));
    }

    #[test]
    fn weights_and_formats_are_checked() {
        assert!(parse_weights("INFO").is_err());
        assert!(parse_weights("INFO=x").is_err());
        assert!(parse_weights("INFO=0").is_err());
        assert!(parse_weights("INFO=1,info=2").is_err());
        assert!(Formats::parse("nope").is_err());
        let mut cfg = config("cbs", "DEBUG=1,INFO=1");
        assert!(Generator::new(&cfg).is_err());
        cfg.strict_weights = false;
        assert!(Generator::new(&cfg).is_ok());
        assert!(Generator::new(&config("mixed", "NOTICE=1")).is_ok());
        assert!(Generator::new(&config("mixed", "BOGUS=1")).is_err());
    }

    #[test]
    fn the_clock_advances_by_the_interval() {
        let mut g = Generator::new(&config("log4j", "INFO=1")).unwrap();
        let mut out = Vec::new();
        for _ in 0..5 {
            g.next_line(&mut out);
        }
        let text = String::from_utf8(out).unwrap();
        let stamps: Vec<&str> = text.lines().map(|l| &l[..23]).collect();
        assert_eq!(
            stamps,
            [
                "2024-12-10 14:33:21,000",
                "2024-12-10 14:33:21,250",
                "2024-12-10 14:33:21,500",
                "2024-12-10 14:33:21,750",
                "2024-12-10 14:33:22,000"
            ]
        );
    }
}
