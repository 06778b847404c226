//! Progress of a long run on stderr: a line redrawn in place, with a bar
//! when the bound is known, when stderr is a terminal; a plain line every
//! few seconds otherwise.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use logmr::progress::{TerminalLine, bar};
use logmr::units::human_bytes;

/// How often progress is shown.
#[derive(Clone, Copy, Debug)]
pub struct StatsEvery {
    pub terminal: Duration,
    pub plain: Duration,
}

impl Default for StatsEvery {
    fn default() -> Self {
        StatsEvery {
            terminal: Duration::from_millis(250),
            plain: Duration::from_secs(10),
        }
    }
}

/// Periodic statistics of one run.
pub struct Stats {
    label: &'static str,
    enabled: bool,
    terminal: bool,
    every: Duration,
    started: Instant,
    last: Instant,
    /// The number of items the run is bounded to, if known.
    total: Option<u64>,
    line: TerminalLine,
}

impl Stats {
    pub fn new(label: &'static str, quiet: bool, total: Option<u64>, every: StatsEvery) -> Stats {
        let terminal = std::io::stderr().is_terminal();
        let now = Instant::now();
        Stats {
            label,
            enabled: !quiet,
            terminal,
            every: if terminal {
                every.terminal
            } else {
                every.plain
            },
            started: now,
            last: now,
            total,
            line: TerminalLine::default(),
        }
    }

    /// Shows `items`, `bytes` and `detail()` when the interval has passed;
    /// `detail` runs only then.
    pub fn tick(&mut self, items: u64, bytes: u64, detail: impl FnOnce() -> String) {
        if !self.enabled || self.last.elapsed() < self.every {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let mut line = format!(
            "{}: {items} lines, {}, {:.0} lines/s, {}/s, {}",
            self.label,
            human_bytes(bytes),
            items as f64 / secs,
            human_bytes((bytes as f64 / secs) as u64),
            detail(),
        );
        if let Some(total) = self.total.filter(|&t| t > 0) {
            line = format!("{} {line}", bar(items as f64 / total as f64));
        }
        if self.terminal {
            self.line.draw(&line);
        } else {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    }

    /// Clears the terminal line, if one was drawn.
    pub fn finish(&mut self) {
        self.line.clear();
    }
}
