//! The committer's pace: commits start at least a pace apart, timed to the microsecond.
//!
//! The runtime's timers count whole milliseconds, so a pace of one would often wait two. A
//! blocking thread sleeping the rest (as before) cost a round trip to another thread per commit:
//! two wake-ups and their context switches, a thousand times a second at full load. A timerfd is
//! waited on by the runtime's own poller, beside the sockets.

use std::os::fd::OwnedFd;
use std::time::Duration;

use rustix::time::{
    Itimerspec, TimerfdClockId, TimerfdFlags, TimerfdTimerFlags, Timespec, timerfd_create,
    timerfd_settime,
};
use tokio::io::unix::AsyncFd;
use tokio::time::Instant;

/// Keeps commits `every` apart.
#[derive(Debug)]
pub(super) struct Pace {
    every: Duration,
    last_start: Option<Instant>,
    /// None if the system refused a timerfd: the runtime's timer then paces, coarser.
    timer: Option<AsyncFd<OwnedFd>>,
}

impl Pace {
    pub(super) fn new(every: Duration) -> Pace {
        let timer = (!every.is_zero())
            .then(|| {
                let flags = TimerfdFlags::NONBLOCK | TimerfdFlags::CLOEXEC;
                let timer = timerfd_create(TimerfdClockId::Monotonic, flags)?;
                // Deprecated for types whose descriptor may change under it; an `OwnedFd`'s
                // cannot, which is what the unsafe `register` asks of its caller.
                #[expect(deprecated)]
                AsyncFd::new(timer)
            })
            .transpose()
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "no timerfd: commits are paced by the runtime's timer");
                None
            });
        Pace {
            every,
            last_start: None,
            timer,
        }
    }

    /// Waits until a pace has passed since the last commit started; then a commit starts.
    pub(super) async fn start(&mut self) {
        if let Some(due) = self.last_start.map(|at| at + self.every) {
            let wait = due.saturating_duration_since(Instant::now());
            if !wait.is_zero() {
                self.wait(wait, due).await;
            }
        }
        self.last_start = Some(Instant::now());
    }

    async fn wait(&self, wait: Duration, due: Instant) {
        let Some(timer) = &self.timer else {
            return tokio::time::sleep_until(due).await;
        };
        let once = Itimerspec {
            it_interval: Timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: Timespec::try_from(wait).expect("a pace is short"),
        };
        if timerfd_settime(timer.get_ref(), TimerfdTimerFlags::empty(), &once).is_err() {
            return tokio::time::sleep_until(due).await;
        }
        loop {
            let Ok(mut ready) = timer.readable().await else {
                return tokio::time::sleep_until(due).await;
            };
            // The timer's count of expirations: reading it re-arms readiness for the next wait.
            let mut expirations = [0u8; 8];
            match rustix::io::read(timer.get_ref(), &mut expirations) {
                Ok(_) => return,
                Err(rustix::io::Errno::AGAIN) => ready.clear_ready(),
                Err(_) => return tokio::time::sleep_until(due).await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn commits_start_a_pace_apart() {
        let every = Duration::from_micros(1500);
        let mut pace = Pace::new(every);
        assert!(pace.timer.is_some(), "a timerfd on this system");
        let mut starts = Vec::new();
        for _ in 0..20 {
            pace.start().await;
            starts.push(Instant::now());
        }
        for pair in starts.windows(2) {
            assert!(pair[1] - pair[0] >= every, "{:?} apart", pair[1] - pair[0]);
        }
    }
}
