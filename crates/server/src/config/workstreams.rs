//! The `[workstreams]` section: how each channel's conversations are handled — live or
//! persistent, the offer timeout, a bot before the agents, the same agent for a returning
//! customer.

use std::time::Duration;

use serde::Deserialize;

/// How each channel's conversations are handled.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Workstreams {
    pub chat: Workstream,
    pub sms: Workstream,
    pub facebook: Workstream,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Workstream {
    pub mode: Mode,
    /// A persistent conversation whose customer writes again goes back to the agent who moved
    /// it to waiting, whatever their load.
    pub keep_same_agent: bool,
    /// When that agent is offline: wait for them, or go to the queue.
    pub if_agent_offline: IfAgentOffline,
    pub offer_timeout_seconds: u32,
    /// A bot that answers new conversations before any agent: its REST channel's base URL
    /// (`POST {bot}/webhooks/rest/webhook`).
    pub bot: Option<String>,
}

impl Default for Workstream {
    fn default() -> Self {
        Workstream {
            mode: Mode::Live,
            keep_same_agent: true,
            if_agent_offline: IfAgentOffline::Queue,
            offer_timeout_seconds: 30,
            bot: None,
        }
    }
}

impl Workstream {
    pub fn offer_timeout(&self) -> Duration {
        Duration::from_secs(self.offer_timeout_seconds.into())
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Live,
    Persistent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IfAgentOffline {
    Wait,
    Queue,
}
