//! Channels beyond the chat widget (SPEC §6): SMS through a Twilio-compatible provider and
//! Facebook Messenger, and the bot that may answer before any agent. Each provider's webhook
//! turns what it receives into an [`Inbound`](crate::routing::Inbound) message for the hub. What leaves the server for
//! someone else's API — agents' replies to SMS and Messenger customers, customers' messages for
//! the bot — is an [`Errand`](crate::routing::Errand), stored in the outbox like any event and handed to the [`courier`].

pub mod bot;
pub mod courier;
pub mod facebook;
pub mod facebook_names;
pub mod twilio;

/// Why a delivery did not happen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct DeliveryError {
    /// In words for the agent.
    pub reason: String,
    /// Whether trying again later may succeed (the provider was unreachable or busy).
    pub transient: bool,
}
