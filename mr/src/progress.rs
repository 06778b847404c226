//! Progress of long-running work, on stderr only: a progress line redrawn
//! in place when stderr is a terminal, `reporter:status:` lines (which also
//! keep the task alive) under Hadoop, and nothing otherwise. The bar and
//! the redrawn line are shared with the ingest tools ([`bar`],
//! [`TerminalLine`]).

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::streaming::Reporter;
use crate::units::human_bytes;

/// How often a Hadoop status line is sent at most.
pub const STATUS_INTERVAL: Duration = Duration::from_secs(5);
/// How often the terminal progress line is redrawn at most.
const BAR_INTERVAL: Duration = Duration::from_millis(200);
/// Work shorter than this shows no terminal progress at all.
const BAR_DELAY: Duration = Duration::from_secs(1);
const BAR_WIDTH: usize = 30;

/// `[#########---------------------]  30%`: a bar of `frac` (0 to 1) done.
pub fn bar(frac: f64) -> String {
    let frac = frac.clamp(0.0, 1.0);
    let filled = (frac * BAR_WIDTH as f64) as usize;
    format!(
        "[{}{}] {:>3.0}%",
        "#".repeat(filled),
        "-".repeat(BAR_WIDTH - filled),
        frac * 100.0
    )
}

/// One line on a terminal's stderr, redrawn in place and cleared at the end.
#[derive(Debug, Default)]
pub struct TerminalLine {
    drawn: bool,
}

impl TerminalLine {
    /// Replaces the line with `text`.
    pub fn draw(&mut self, text: &str) {
        let _ = write!(io::stderr().lock(), "\r\x1b[2K{text}");
        self.drawn = true;
    }

    /// Clears the line, if one was drawn.
    pub fn clear(&mut self) {
        if self.drawn {
            let _ = write!(io::stderr().lock(), "\r\x1b[2K");
            self.drawn = false;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sink {
    Off,
    Status,
    Bar,
}

/// Progress of one command over its inputs.
#[derive(Debug)]
pub struct Progress {
    sink: Sink,
    reporter: Reporter,
    label: &'static str,
    total: Option<u64>,
    started: Instant,
    last: Instant,
    line: TerminalLine,
}

impl Progress {
    /// Status lines when `reporter` is enabled, a bar when stderr is a
    /// terminal and `quiet` is off, else nothing. `total` is the input size
    /// in bytes when known.
    pub fn new(
        label: &'static str,
        reporter: Reporter,
        quiet: bool,
        total: Option<u64>,
    ) -> Progress {
        let sink = if reporter.enabled() {
            Sink::Status
        } else if !quiet && io::stderr().is_terminal() {
            Sink::Bar
        } else {
            Sink::Off
        };
        let now = Instant::now();
        Progress {
            sink,
            reporter,
            label,
            total,
            started: now,
            last: now,
            line: TerminalLine::default(),
        }
    }

    /// Records that `bytes` bytes have been processed so far. Cheap enough
    /// to call per block.
    #[inline]
    pub fn update(&mut self, bytes: u64, lines: u64) {
        if self.sink == Sink::Off {
            return;
        }
        let now = Instant::now();
        match self.sink {
            Sink::Status if now - self.last >= STATUS_INTERVAL => {
                self.last = now;
                self.reporter.status(&format!(
                    "{}: {lines} lines, {}",
                    self.label,
                    human_bytes(bytes)
                ));
            }
            Sink::Bar if now - self.last >= BAR_INTERVAL && now - self.started >= BAR_DELAY => {
                self.last = now;
                self.draw(bytes, lines, now);
            }
            _ => {}
        }
    }

    fn draw(&mut self, bytes: u64, lines: u64, now: Instant) {
        let secs = (now - self.started).as_secs_f64().max(1e-3);
        let rate = human_bytes((bytes as f64 / secs) as u64);
        let line = match self.total.filter(|&t| t > 0) {
            Some(total) => format!(
                "{} {} {} / {}, {lines} lines, {rate}/s",
                self.label,
                bar(bytes as f64 / total as f64),
                human_bytes(bytes),
                human_bytes(total),
            ),
            None => format!(
                "{}: {}, {lines} lines, {rate}/s",
                self.label,
                human_bytes(bytes)
            ),
        };
        self.line.draw(&line);
    }

    /// Ends the work: under Hadoop a last status line with the final
    /// figures (the task's status would otherwise stay at the last periodic
    /// one), then [`Progress::finish`].
    pub fn done(&mut self, bytes: u64, lines: u64) {
        if self.sink == Sink::Status {
            self.reporter.status(&format!(
                "{}: done, {lines} lines, {}",
                self.label,
                human_bytes(bytes)
            ));
        }
        self.finish();
    }

    /// Clears the terminal progress line, if one was drawn.
    pub fn finish(&mut self) {
        self.line.clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars() {
        assert_eq!(bar(0.0), format!("[{}]   0%", "-".repeat(30)));
        assert_eq!(
            bar(0.5),
            format!("[{}{}]  50%", "#".repeat(15), "-".repeat(15))
        );
        assert_eq!(bar(2.0), format!("[{}] 100%", "#".repeat(30)));
    }
}
