//! Reconnection delays: exponential, capped, with full jitter so that many desktops cut off by
//! the same server restart do not all come back in the same instant.

use std::time::Duration;

#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    first: Duration,
    cap: Duration,
    attempt: u32,
}

impl Backoff {
    pub(crate) fn new(first: Duration, cap: Duration) -> Backoff {
        Backoff {
            first,
            cap,
            attempt: 0,
        }
    }

    /// The failed attempts since the last success.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempt
    }

    /// The delay before the next attempt: random, up to `first · 2^attempt`, never above the cap.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let ceiling = self
            .first
            .saturating_mul(1 << self.attempt.min(16))
            .min(self.cap);
        self.attempt += 1;
        ceiling.mul_f64(rand::random_range(0.5..=1.0))
    }

    pub(crate) fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_the_cap_and_start_over_after_a_success() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
        let delays: Vec<Duration> = (0..8).map(|_| backoff.next_delay()).collect();
        for (attempt, delay) in delays.iter().enumerate() {
            let ceiling = Duration::from_millis(100 << attempt).min(Duration::from_secs(2));
            assert!(
                *delay <= ceiling && *delay >= ceiling / 2,
                "{attempt}: {delay:?}"
            );
        }
        assert_eq!(backoff.attempts(), 8);
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(100));
    }
}
