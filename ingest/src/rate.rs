//! A token bucket that spreads lines evenly over time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The longest sleep between two looks at the stop flag and the deadline.
const NAP: Duration = Duration::from_millis(100);

/// Allows `rate` lines per second, in bursts of at most a tenth of a second.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    pub fn new(rate: f64) -> RateLimiter {
        let burst = (rate / 10.0).max(1.0);
        RateLimiter {
            rate,
            burst,
            // The first line goes at once, as a run starts.
            tokens: 1.0,
            last: Instant::now(),
        }
    }

    /// Waits as needed and returns how many lines may go now, at most
    /// `want`: at least 1, or 0 once `stop` is set or `deadline` passed
    /// while waiting. A slow rate never holds a run past either.
    pub fn take(&mut self, want: u64, deadline: Option<Instant>, stop: &AtomicBool) -> u64 {
        loop {
            let now = Instant::now();
            if stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| now >= d) {
                return 0;
            }
            self.tokens =
                (self.tokens + (now - self.last).as_secs_f64() * self.rate).min(self.burst);
            self.last = now;
            if self.tokens >= 1.0 {
                let n = (self.tokens.floor() as u64).min(want).max(1);
                self.tokens -= n as f64;
                return n;
            }
            let wait = Duration::from_secs_f64(((1.0 - self.tokens) / self.rate).min(0.1)).min(NAP);
            let wait = deadline.map_or(wait, |d| wait.min(d - now));
            std::thread::sleep(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_the_rate() {
        let mut limiter = RateLimiter::new(2000.0);
        let started = Instant::now();
        let mut sent = 0;
        let go = AtomicBool::new(false);
        while sent < 600 {
            sent += limiter.take(600 - sent, None, &go);
        }
        let secs = started.elapsed().as_secs_f64();
        // 600 lines at 2000/s take 0.3 s; allow for a slow machine.
        assert!((0.25..1.5).contains(&secs), "{secs}");
    }

    #[test]
    fn a_slow_rate_gives_way_to_the_deadline_and_the_stop_flag() {
        let go = AtomicBool::new(false);
        for rate in [0.1, 1e-300] {
            let mut limiter = RateLimiter::new(rate);
            let started = Instant::now();
            let deadline = started + Duration::from_millis(300);
            assert_eq!(
                limiter.take(10, Some(deadline), &go),
                1,
                "the first line goes"
            );
            assert_eq!(limiter.take(10, Some(deadline), &go), 0);
            let waited = started.elapsed();
            assert!(waited >= Duration::from_millis(300), "{waited:?}");
            assert!(waited < Duration::from_secs(3), "{waited:?}");
        }
        let stopped = AtomicBool::new(true);
        assert_eq!(RateLimiter::new(1e-300).take(1, None, &stopped), 0);
    }
}
