//! The `[limits]` section: what the public edge lets one client, one widget and everyone
//! together have — connections, request rates, waiting chats — and how long it waits for them.

use std::net::IpAddr;

use serde::Deserialize;

use super::ConfigProblem;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSection {
    /// Open connections at most; past it a new one is answered 503 at once. Without it: the
    /// open-files limit less what the server needs for itself.
    pub max_connections: Option<usize>,
    /// A client that has not sent a request's headers within this time is disconnected.
    pub header_timeout_seconds: u32,
    /// On `SIGTERM`, connections get this long to finish before they are closed.
    pub shutdown_seconds: u32,
    /// Proxies whose `X-Forwarded-For` names the client; everyone else's address is their
    /// socket's.
    pub trusted_proxies: Vec<IpAddr>,
    /// Chats one client address may start per minute.
    pub chats_per_address_per_minute: u32,
    /// Chats one widget may start per minute, all addresses together.
    pub chats_per_widget_per_minute: u32,
    /// Chats from one client address waiting for an agent at once.
    pub waiting_per_address: u32,
    /// Chats of one widget waiting for an agent at once.
    pub waiting_per_widget: u32,
    /// Conversations waiting in one queue at once; past it new ones are told the service is
    /// busy.
    pub waiting_per_queue: u32,
    /// A live chat nobody accepted ends when its customer has been gone this long.
    pub abandoned_after_seconds: u32,
    /// Webhook calls one address may make per second (providers send bursts).
    pub webhooks_per_address_per_second: u32,
    /// Sign-in attempts one address may make per minute.
    pub logins_per_address_per_minute: u32,
    /// Failed sign-ins for one e-mail before each further attempt waits, the wait doubling with
    /// each failure.
    pub failed_logins_before_delay: u32,
}

impl Default for LimitsSection {
    fn default() -> Self {
        LimitsSection {
            max_connections: None,
            header_timeout_seconds: 10,
            shutdown_seconds: 10,
            trusted_proxies: Vec::new(),
            chats_per_address_per_minute: 10,
            chats_per_widget_per_minute: 600,
            waiting_per_address: 3,
            waiting_per_widget: 200,
            waiting_per_queue: 500,
            abandoned_after_seconds: 120,
            webhooks_per_address_per_second: 50,
            logins_per_address_per_minute: 20,
            failed_logins_before_delay: 5,
        }
    }
}

impl LimitsSection {
    pub(super) fn validate(&self) -> Result<(), ConfigProblem> {
        let at_least_one = [
            ("header_timeout_seconds", self.header_timeout_seconds),
            ("shutdown_seconds", self.shutdown_seconds),
            (
                "chats_per_address_per_minute",
                self.chats_per_address_per_minute,
            ),
            (
                "chats_per_widget_per_minute",
                self.chats_per_widget_per_minute,
            ),
            ("waiting_per_address", self.waiting_per_address),
            ("waiting_per_widget", self.waiting_per_widget),
            ("waiting_per_queue", self.waiting_per_queue),
            ("abandoned_after_seconds", self.abandoned_after_seconds),
            (
                "webhooks_per_address_per_second",
                self.webhooks_per_address_per_second,
            ),
            (
                "logins_per_address_per_minute",
                self.logins_per_address_per_minute,
            ),
            (
                "failed_logins_before_delay",
                self.failed_logins_before_delay,
            ),
        ];
        if let Some((key, _)) = at_least_one.iter().find(|(_, value)| *value == 0) {
            return Err(ConfigProblem::new(
                format!("limits.{key}"),
                "must be at least 1",
            ));
        }
        if self.max_connections == Some(0) {
            return Err(ConfigProblem::new(
                "limits.max_connections",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}
