//! The records routing keeps and the store persists: agent accounts and conversations, with
//! where each is in its life.

use serde::{Deserialize, Serialize};
pub use switchboard_protocol::Receipts;
use switchboard_protocol::agent::{Customer, NamedContextValue, Role};
use switchboard_protocol::reports::SurveyAnswer;
use switchboard_protocol::{
    AgentId, Channel, ContactId, ConversationId, EndedBy, Millis, Presence, QueueId,
};

/// An agent account.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentRecord {
    pub id: AgentId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub queues: Vec<QueueId>,
    /// `None`: the configured default.
    pub capacity: Option<u32>,
    pub presence: Presence,
    pub presence_since: Millis,
    pub role: Role,
}

/// A conversation as routing keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationRecord {
    pub id: ConversationId,
    pub channel: Channel,
    pub queue: QueueId,
    pub customer: Customer,
    pub context: Vec<NamedContextValue>,
    pub proactive: bool,
    pub started_at: Millis,
    /// The first message, shown as the alert's comment.
    pub comment: String,
    pub status: Status,
    /// Agents invited into the conversation besides its holder (a conference).
    #[serde(default)]
    pub conference: Vec<AgentId>,
    /// Supervisors watching it read-only: they see every message and note.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitors: Vec<AgentId>,
    /// Why the conversation was interrupted (a resource it depends on was deleted): its agent
    /// can only end it.
    #[serde(default)]
    pub interrupted: Option<String>,
    /// The id the next message of the thread gets.
    pub next_message: u64,
    /// How many facts were recorded about the conversation (see `facts.rs`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub next_fact: u64,
    /// The contact the conversation was matched to.
    #[serde(default)]
    pub contact: Option<ContactId>,
    /// Where an SMS or Messenger conversation's replies go; none for a chat.
    #[serde(default)]
    pub address: Option<ChannelAddress>,
    /// Up to when the customer's device got, and the customer read, the agents' replies, as the
    /// channel reports it (Messenger does).
    #[serde(default)]
    pub receipts: Receipts,
    /// The customer's language code, when their widget said it (templates use it first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The customer's messages up to this one have reached an agent's desktop.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub received_by_agents: u64,
    /// Why the conversation waits in an escalation queue, until someone takes it.
    #[serde(default)]
    pub escalation: Option<Escalation>,
    /// Talking with the workstream's bot: waiting, but in no queue until the bot hands over.
    #[serde(default)]
    pub with_bot: bool,
    /// Persistent chat: it lasts across the customer's visits; only the agent ends it.
    #[serde(default)]
    pub persistent: bool,
    /// The signed-in customer's id in the site's accounts (persistent chat).
    #[serde(default)]
    pub customer_id: Option<String>,
    /// The widget a chat was started on; a persistent conversation belongs to the pair (widget,
    /// customer id). `None` for other channels, and for chats stored before it was recorded.
    #[serde(default)]
    pub widget: Option<String>,
    /// The customer wrote again after the conversation was moved to waiting; kept until an
    /// agent takes it.
    #[serde(default)]
    pub returning: Option<Returning>,
    /// The note the last transfer carried, shown with its offer until someone accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover_note: Option<String>,
    /// How the customer rated the conversation once it ended (the satisfaction survey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<SurveyAnswer>,
    /// The agent it is offered to, while the offer is pending: after a restart that agent is
    /// told the offer is withdrawn (offers themselves are not restored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered_to: Option<AgentId>,
}

/// A persistent conversation coming back from waiting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Returning {
    /// The agent it is kept for; nobody in particular once it is in its queue.
    pub agent: Option<AgentId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    pub reason: String,
    /// Handed over by the bot, rather than escalated by an agent.
    pub from_bot: bool,
}

/// The two ends of an SMS or Messenger conversation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChannelAddress {
    /// The customer's phone number (E.164), or their page-scoped Messenger id.
    pub customer: String,
    /// The number or Facebook page they wrote to.
    pub ours: String,
}

/// Where a conversation is in its life.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// In its queue since `since`, waiting for an agent (offers are not stored: after a restart
    /// the conversation is offered again).
    Waiting { since: Millis },
    /// Held by an agent.
    Held { agent: AgentId, accepted_at: Millis },
    /// A persistent conversation moved to waiting by its agent, until the customer writes again.
    Parked { agent: AgentId, since: Millis },
    /// Ended, waiting for the agent's wrap-up reason.
    WrapUp {
        agent: AgentId,
        accepted_at: Millis,
        ended_by: EndedBy,
    },
    /// Done.
    Closed {
        ended_by: EndedBy,
        wrap_up: Option<String>,
        closed_at: Millis,
    },
}

impl ConversationRecord {
    /// Whether this is the persistent conversation of `customer_id` on `widget`: the same id
    /// under another widget is another customer. (A conversation stored before widgets were
    /// recorded belongs to whichever widget signs its customer in.)
    pub fn is_persistent_for(&self, widget: &str, customer_id: &str) -> bool {
        self.persistent
            && self.customer_id.as_deref() == Some(customer_id)
            && self.widget.as_deref().is_none_or(|own| own == widget)
    }

    pub fn is_open(&self) -> bool {
        !matches!(self.status, Status::Closed { .. })
    }
}

fn is_zero(number: &u64) -> bool {
    *number == 0
}
