//! The live view a supervisor watches: every queue and agent with today's figures, and every open
//! conversation, pushed by the server as it changes (batched), never asked for again.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::agent::{AgentSummary, QueueSummary};
use crate::{AgentId, Channel, ConversationId, Millis, Presence};

/// One push of the live view: with `whole`, everything (rows not in it are gone); otherwise only
/// the rows that changed since the previous push, and the conversations that closed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct LiveUpdate {
    pub whole: bool,
    /// When the figures were taken.
    pub at: Millis,
    /// The start of today in the server's `[reports] time_zone`: "today" counts from here.
    pub day_start: Millis,
    /// The start of the first of the trends' minutes.
    pub trend_start: Millis,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<QueueFigures>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agents: Vec<AgentFigures>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conversations: Vec<LiveConversation>,
    /// Conversations that closed since the previous push.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gone: Vec<ConversationId>,
}

/// A queue, now and today.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct QueueFigures {
    pub queue: QueueSummary,
    /// Conversations waiting for an agent now.
    pub waiting: u32,
    /// Since when the longest-waiting one has waited.
    pub oldest_waiting_since: Option<Millis>,
    /// The agents serving the queue, signed in, by what they can do now.
    pub agents: Staffing,
    /// The queue's service-level target: answered within this many seconds.
    pub target_seconds: u32,
    /// Accepted from the queue today.
    pub answered: u32,
    /// Of those, accepted within the target.
    pub answered_in_target: u32,
    /// Customers who left before an agent accepted, today.
    pub abandoned: u32,
    /// The average wait of those answered today.
    pub average_wait: Option<Millis>,
    /// How many waited, minute by minute over the last hour (the most in each minute), oldest
    /// first from the update's `trend_start`.
    pub waiting_trend: Vec<u32>,
}

/// Signed-in agents serving a queue, each counted once: busy at capacity first, then by
/// presence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct Staffing {
    pub available: u32,
    pub idle: u32,
    pub rona: u32,
    /// Holding as many conversations as they can.
    pub busy: u32,
}

/// An agent, now and today.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct AgentFigures {
    pub agent: AgentSummary,
    /// Whether their desktop is connected now.
    pub connected: bool,
    pub presence: Presence,
    pub presence_since: Millis,
    /// Conversations held, out of `capacity`.
    pub held: u32,
    pub capacity: u32,
    pub rona_today: u32,
    /// When their last conversation ended, today.
    pub last_ended_at: Option<Millis>,
    /// How many conversations they held, minute by minute over the last hour (the most in each
    /// minute).
    pub held_trend: Vec<u32>,
}

/// An open conversation, for a supervisor to monitor, barge into, assign or move.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct LiveConversation {
    pub id: ConversationId,
    pub channel: Channel,
    pub queue: QueueSummary,
    pub customer_name: String,
    pub started_at: Millis,
    pub stage: LiveStage,
}

/// Where an open conversation is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum LiveStage {
    /// In its queue (or with the bot), since then.
    Waiting {
        since: Millis,
        /// Offered to this agent now.
        offered_to: Option<AgentId>,
    },
    /// Held by `agent` (and the others in its conference) since then.
    Held {
        agent: AgentId,
        since: Millis,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        conference: Vec<AgentId>,
    },
    /// Ended, waiting for `agent`'s wrap-up reason.
    WrapUp { agent: AgentId },
    /// A persistent chat moved to waiting until its customer writes again.
    Parked { agent: AgentId },
}
