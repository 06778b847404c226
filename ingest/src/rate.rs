//! A token bucket that spreads lines evenly over time.

use std::time::{Duration, Instant};

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
            tokens: 0.0,
            last: Instant::now(),
        }
    }

    /// Waits as needed and returns how many lines may go now (at least 1,
    /// at most `want`).
    pub fn take(&mut self, want: u64) -> u64 {
        loop {
            let now = Instant::now();
            self.tokens =
                (self.tokens + (now - self.last).as_secs_f64() * self.rate).min(self.burst);
            self.last = now;
            if self.tokens >= 1.0 {
                let n = (self.tokens.floor() as u64).min(want).max(1);
                self.tokens -= n as f64;
                return n;
            }
            let wait = (1.0 - self.tokens) / self.rate;
            std::thread::sleep(Duration::from_secs_f64(wait.min(0.1)));
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
        while sent < 600 {
            sent += limiter.take(600 - sent);
        }
        let secs = started.elapsed().as_secs_f64();
        // 600 lines at 2000/s take 0.3 s; allow for a slow machine.
        assert!((0.25..1.5).contains(&secs), "{secs}");
    }
}
