//! What the public edge lets each client have: rate limits per client address, widget and
//! account (governor's keyed GCRA limiters), and who the client is when a trusted proxy stands
//! in front of the server. The edges ask before handing anything to the hub; a refusal says when
//! to try again.
//!
//! - `address.rs`: the client's address, from the socket or a trusted proxy's `X-Forwarded-For`;
//! - `logins.rs`: a growing wait for an account after failed sign-ins.

mod address;
mod logins;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use switchboard_protocol::{ErrorBody, ErrorCode};

use crate::config::LimitsSection;
use crate::metrics::{self, limit};

pub use address::client_address;
use logins::FailedLogins;

/// The page a browser's request comes from (its `Origin` header); `None` from anything but a
/// web page.
pub fn page_origin(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get(axum::http::header::ORIGIN)?.to_str().ok()
}

/// A request refused for coming too often: what was limited, and when to try again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after: Duration,
    what: &'static str,
}

impl Throttled {
    /// Whole seconds to wait, at least one (for `Retry-After`).
    pub fn retry_after_seconds(&self) -> u64 {
        self.retry_after.as_secs_f64().ceil().max(1.0) as u64
    }

    pub fn error(&self) -> ErrorBody {
        ErrorBody::new(
            ErrorCode::RateLimited,
            format!(
                "Too many {}; try again in {} seconds.",
                self.what,
                self.retry_after_seconds()
            ),
        )
    }
}

/// `429 Too Many Requests` with `Retry-After` and the protocol's error body.
impl axum::response::IntoResponse for Throttled {
    fn into_response(self) -> axum::response::Response {
        let retry_after = [(
            axum::http::header::RETRY_AFTER,
            self.retry_after_seconds().to_string(),
        )];
        (
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            retry_after,
            axum::Json(self.error()),
        )
            .into_response()
    }
}

/// The server's rate limits.
#[derive(Debug)]
pub struct Guard {
    chats_by_address: DefaultKeyedRateLimiter<IpAddr>,
    chats_by_widget: DefaultKeyedRateLimiter<String>,
    webhooks_by_address: DefaultKeyedRateLimiter<IpAddr>,
    logins_by_address: DefaultKeyedRateLimiter<IpAddr>,
    failed_logins: FailedLogins,
    trusted_proxies: Vec<IpAddr>,
}

fn per_minute(count: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN))
}

impl Guard {
    pub fn new(limits: &LimitsSection) -> Guard {
        Guard {
            chats_by_address: DefaultKeyedRateLimiter::keyed(per_minute(
                limits.chats_per_address_per_minute,
            )),
            chats_by_widget: DefaultKeyedRateLimiter::keyed(per_minute(
                limits.chats_per_widget_per_minute,
            )),
            webhooks_by_address: DefaultKeyedRateLimiter::keyed(Quota::per_second(
                NonZeroU32::new(limits.webhooks_per_address_per_second).unwrap_or(NonZeroU32::MIN),
            )),
            logins_by_address: DefaultKeyedRateLimiter::keyed(per_minute(
                limits.logins_per_address_per_minute,
            )),
            failed_logins: FailedLogins::new(limits.failed_logins_before_delay),
            trusted_proxies: limits.trusted_proxies.clone(),
        }
    }

    pub fn trusted_proxies(&self) -> &[IpAddr] {
        &self.trusted_proxies
    }

    /// May the client at `address` start a chat on `widget` now?
    pub fn start_chat(&self, address: IpAddr, widget: &str) -> Result<(), Throttled> {
        check(&self.chats_by_address, &address, CHATS_BY_ADDRESS)?;
        check(&self.chats_by_widget, &widget.to_owned(), CHATS_BY_WIDGET)
    }

    /// May a provider at `address` call a webhook now?
    pub fn webhook(&self, address: IpAddr) -> Result<(), Throttled> {
        check(&self.webhooks_by_address, &address, WEBHOOKS_BY_ADDRESS)
    }

    /// May the client at `address` try to sign in as `email` now? The attempt counts as failed
    /// until [`Guard::login_succeeded`] says otherwise.
    pub fn login(&self, address: IpAddr, email: &str) -> Result<(), Throttled> {
        check(&self.logins_by_address, &address, LOGINS_BY_ADDRESS)?;
        self.failed_logins
            .attempt(email)
            .inspect_err(|_| refused(limit::FAILED_LOGINS_PER_ACCOUNT))
    }

    pub fn login_succeeded(&self, email: &str) {
        self.failed_logins.succeeded(email);
    }

    /// Forgets the clients that have not come for a while, so that the limits' memory stays
    /// bounded by the recent clients.
    pub fn forget_idle(&self) {
        self.chats_by_address.retain_recent();
        self.chats_by_widget.retain_recent();
        self.webhooks_by_address.retain_recent();
        self.logins_by_address.retain_recent();
        self.failed_logins.forget_old();
    }
}

/// A limit: its name in the metrics, and what it limits in the refusal's words.
type Limit = (&'static str, &'static str);

const CHATS_BY_ADDRESS: Limit = (limit::CHATS_PER_ADDRESS, "chats from your address");
const CHATS_BY_WIDGET: Limit = (limit::CHATS_PER_WIDGET, "chats on this site at the moment");
const WEBHOOKS_BY_ADDRESS: Limit = (limit::WEBHOOKS_PER_ADDRESS, "calls from your address");
const LOGINS_BY_ADDRESS: Limit = (limit::LOGINS_PER_ADDRESS, "sign-ins from your address");

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
    (name, what): Limit,
) -> Result<(), Throttled> {
    limiter.check_key(key).map_err(|not_until| {
        refused(name);
        Throttled {
            retry_after: not_until.wait_time_from(limiter.clock().now()),
            what,
        }
    })
}

/// Counts a refusal by the limit `name`.
fn refused(name: &'static str) {
    let labels = metrics::LimitLabels { limit: name };
    metrics::get().rate_limited.get_or_create(&labels).inc();
}
