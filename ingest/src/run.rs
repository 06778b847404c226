//! One generator run: lines from a [`Generator`] into a [`Destination`], bounded
//! by a count, a duration or a stop signal, paced by a rate.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::destination::{Delivery, Destination};
use crate::error::{Error, Result};
use crate::generator::Generator;
use crate::rate::RateLimiter;
use crate::stats::{Stats, StatsEvery};

/// When and how fast a run goes.
#[derive(Clone, Debug, Default)]
pub struct Bounds {
    pub count: Option<u64>,
    pub duration: Option<Duration>,
    /// Lines per second; unlimited when `None`.
    pub rate: Option<f64>,
}

/// How a run ended.
#[derive(Clone, Debug)]
pub struct Report {
    pub delivery: Delivery,
    pub bytes: u64,
    pub elapsed: Duration,
    /// Stopped by a signal rather than by its bounds.
    pub interrupted: bool,
    /// Stopped early because the destination was failing, and why.
    pub halted: Option<String>,
}

impl Report {
    /// The one-line summary printed at exit.
    pub fn line(&self) -> String {
        let d = &self.delivery;
        let secs = self.elapsed.as_secs_f64().max(1e-6);
        format!(
            "produced {} lines ({}) in {:.2} s, {:.0} lines/s; delivered {}, failed {}{}",
            d.produced,
            logmr::units::human_bytes(self.bytes),
            secs,
            d.produced as f64 / secs,
            d.delivered,
            d.failed,
            if self.interrupted {
                "; stopped by signal"
            } else {
                ""
            }
        )
    }

    /// An error when anything was not delivered.
    pub fn check(&self) -> Result<()> {
        let d = &self.delivery;
        if d.failed > 0 || d.delivered < d.produced {
            return Err(Error::Undelivered {
                failed: d.produced - d.delivered.min(d.produced),
                first_error: d.first_error.clone().unwrap_or_else(|| "unknown".into()),
            });
        }
        if let Some(reason) = &self.halted {
            // Every line made was delivered, but the run stopped short of
            // its bounds: the lines it did not make are missing too.
            return Err(Error::Undelivered {
                failed: 0,
                first_error: format!("the run stopped early after {} lines: {reason}", d.produced),
            });
        }
        Ok(())
    }
}

/// Lines per batch between checks of the clock, the bounds and the stop flag.
const BATCH: u64 = 1024;

/// Runs `generator` into `destination` until a bound is reached or `stop` is set.
pub fn run(
    generator: &mut Generator,
    destination: &mut dyn Destination,
    bounds: &Bounds,
    stop: &Arc<AtomicBool>,
    quiet: bool,
) -> Result<Report> {
    let started = Instant::now();
    let deadline = bounds.duration.map(|d| started + d);
    let mut limiter = bounds.rate.map(RateLimiter::new);
    let mut stats = Stats::new("logmr-gen", quiet, bounds.count, StatsEvery::default());
    let mut line = Vec::with_capacity(512);
    let mut bytes = 0u64;
    let mut interrupted = false;
    let mut halted = None;
    loop {
        if stop.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
        let left = bounds
            .count
            .map_or(BATCH, |c| c.saturating_sub(generator.lines()).min(BATCH));
        if left == 0 || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let n = match &mut limiter {
            // 0 when the stop flag or the deadline came while waiting: the
            // next turn of the loop ends the run.
            Some(limiter) => limiter.take(left, deadline, stop),
            None => left,
        };
        for _ in 0..n {
            line.clear();
            let info = generator.next_line(&mut line);
            destination.send(info.machine, &line)?;
            bytes += line.len() as u64;
        }
        stats.tick(generator.lines(), bytes, || {
            format!("delivered {}", destination.delivered())
        });
        if let Some(reason) = destination.halted() {
            // The destination is failing (every broker went away): stop
            // making lines that could only fail too, and report.
            eprintln!("logmr-gen: stopping: {reason}");
            halted = Some(reason);
            break;
        }
    }
    stats.finish();
    let delivery = destination.finish()?;
    Ok(Report {
        delivery,
        bytes,
        elapsed: started.elapsed(),
        interrupted,
        halted,
    })
}
