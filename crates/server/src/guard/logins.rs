//! Failed sign-ins per account: after a few, each further attempt for that e-mail waits a
//! growing time (doubling, at most [`LONGEST_WAIT`]) before it is even checked, so that guessing
//! passwords is slow and costs the server nothing, while other accounts sign in as usual. An
//! attempt counts as failed from the moment it starts until it succeeds: a burst sent at once
//! cannot all pass before the first failure is known.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Throttled;

/// The longest an account waits between attempts.
const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);

/// Accounts remembered at most: past it, new ones are not tracked until old ones are forgotten
/// (the per-address limit still holds).
const REMEMBERED: usize = 100_000;

/// Failures are forgotten this long after the last.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

#[derive(Debug)]
pub(super) struct FailedLogins {
    free_failures: u32,
    accounts: Mutex<HashMap<String, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

impl FailedLogins {
    pub(super) fn new(free_failures: u32) -> FailedLogins {
        FailedLogins {
            free_failures,
            accounts: Mutex::new(HashMap::new()),
        }
    }

    fn wait_after(&self, count: u32) -> Duration {
        let over = count.saturating_sub(self.free_failures);
        if count < self.free_failures {
            return Duration::ZERO;
        }
        Duration::from_secs(1u64 << over.min(10)).min(LONGEST_WAIT)
    }

    /// Lets an attempt for `email` go ahead (counting it as failed until it succeeds), or says
    /// how long the account must wait.
    pub(super) fn attempt(&self, email: &str) -> Result<(), Throttled> {
        let mut accounts = self.accounts.lock().expect("never poisoned");
        let now = Instant::now();
        let key = key(email);
        if let Some(failures) = accounts.get_mut(&key) {
            let allowed_at = failures.last + self.wait_after(failures.count);
            if now < allowed_at {
                return Err(Throttled {
                    retry_after: allowed_at - now,
                    what: "failed sign-ins for this account",
                });
            }
            failures.count += 1;
            failures.last = now;
        } else if accounts.len() < REMEMBERED {
            accounts.insert(
                key,
                Failures {
                    count: 1,
                    last: now,
                },
            );
        }
        Ok(())
    }

    /// An attempt succeeded: the account starts afresh.
    pub(super) fn succeeded(&self, email: &str) {
        self.accounts
            .lock()
            .expect("never poisoned")
            .remove(&key(email));
    }

    pub(super) fn forget_old(&self) {
        let now = Instant::now();
        self.accounts
            .lock()
            .expect("never poisoned")
            .retain(|_, failures| now.duration_since(failures.last) < FORGET_AFTER);
    }
}

fn key(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_waits_longer_after_each_failure_past_the_free_ones() {
        let logins = FailedLogins::new(3);
        for _ in 0..3 {
            assert!(logins.attempt("ann@example.com").is_ok());
        }
        let first = logins.attempt("Ann@Example.com ").unwrap_err().retry_after;
        assert!(first > Duration::from_millis(500) && first <= Duration::from_secs(1));
        // A refused attempt does not count: the wait does not grow while refused.
        let again = logins.attempt("ann@example.com").unwrap_err().retry_after;
        assert!(again <= first);
        // Other accounts are not affected; a success clears the account.
        assert!(logins.attempt("bo@example.com").is_ok());
        logins.succeeded("ann@example.com");
        assert!(logins.attempt("ann@example.com").is_ok());
    }

    #[test]
    fn the_wait_doubles_with_each_failure_up_to_the_longest() {
        let logins = FailedLogins::new(5);
        assert_eq!(logins.wait_after(4), Duration::ZERO);
        assert_eq!(logins.wait_after(5), Duration::from_secs(1));
        assert_eq!(logins.wait_after(6), Duration::from_secs(2));
        assert_eq!(logins.wait_after(9), Duration::from_secs(16));
        assert_eq!(logins.wait_after(100), LONGEST_WAIT);
    }
}
