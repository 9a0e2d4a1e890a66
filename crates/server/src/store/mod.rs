//! Durable storage behind one trait, so that a PostgreSQL store can be added without touching
//! routing. Every routing step is written as one [`Batch`], atomically: the records it changed,
//! the events it emitted (the outbox) and the reply to the command that caused it.

mod contacts;
mod journal;
mod sqlite;

use std::future::Future;

use serde::{Deserialize, Serialize};
use switchboard_protocol::agent::{Customer, NamedContextValue};
use switchboard_protocol::{
    AgentId, Channel, ChatMessage, ContactId, ConversationId, EndedBy, Millis, Presence, QueueId,
    Seq,
};

pub use contacts::{ContactStore, KeyTaken};
pub use journal::Journaled;
pub use sqlite::SqliteStore;

/// A storage failure. The step that hit it was not applied.
#[derive(Debug, thiserror::Error)]
#[error("storage: {0}")]
pub struct StoreError(pub String);

pub type StoreResult<T> = Result<T, StoreError>;

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
    /// Why the conversation was interrupted (a resource it depends on was deleted): its agent
    /// can only end it.
    #[serde(default)]
    pub interrupted: Option<String>,
    /// The id the next message of the thread gets.
    pub next_message: u64,
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
    /// The customer wrote again after the conversation was moved to waiting; kept until an
    /// agent takes it.
    #[serde(default)]
    pub returning: Option<Returning>,
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

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipts {
    pub delivered_up_to: Option<Millis>,
    pub read_up_to: Option<Millis>,
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
    pub fn is_open(&self) -> bool {
        !matches!(self.status, Status::Closed { .. })
    }
}

/// Everything one routing step changes, written atomically.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Batch {
    /// New conversations, with the hash of the customer's resume token.
    pub new_conversations: Vec<(ConversationRecord, String)>,
    pub conversations: Vec<ConversationRecord>,
    pub messages: Vec<ChatMessage>,
    pub presences: Vec<(AgentId, Presence, Millis)>,
    /// `(stream, seq, event JSON)`.
    pub outbox: Vec<(String, Seq, String)>,
    /// `(stream, command id, reply JSON)`.
    pub replies: Vec<(String, String, String)>,
    /// `(stream, seq)`: events the client has applied, to forget.
    pub acks: Vec<(String, Seq)>,
    /// Queues removed by an administrator.
    pub removed_queues: Vec<QueueId>,
    /// Conversations whose customer was given a new resume token: `(conversation, token hash)`.
    #[serde(default)]
    pub tokens: Vec<(ConversationId, String)>,
}

impl Batch {
    /// Appends a later batch: written together, in order.
    pub fn absorb(&mut self, later: Batch) {
        self.new_conversations.extend(later.new_conversations);
        self.conversations.extend(later.conversations);
        self.messages.extend(later.messages);
        self.presences.extend(later.presences);
        self.outbox.extend(later.outbox);
        self.replies.extend(later.replies);
        self.acks.extend(later.acks);
        self.removed_queues.extend(later.removed_queues);
        self.tokens.extend(later.tokens);
    }

    pub fn is_empty(&self) -> bool {
        self.new_conversations.is_empty()
            && self.conversations.is_empty()
            && self.messages.is_empty()
            && self.presences.is_empty()
            && self.outbox.is_empty()
            && self.replies.is_empty()
            && self.acks.is_empty()
            && self.removed_queues.is_empty()
            && self.tokens.is_empty()
    }
}

/// What the server keeps on disk.
pub trait Store: ContactStore + Clone + Send + Sync + 'static {
    fn agents(&self) -> impl Future<Output = StoreResult<Vec<AgentRecord>>> + Send;
    fn agent_by_email(
        &self,
        email: &str,
    ) -> impl Future<Output = StoreResult<Option<AgentRecord>>> + Send;
    fn insert_agent(&self, agent: &AgentRecord) -> impl Future<Output = StoreResult<()>> + Send;
    fn set_password(
        &self,
        agent: &AgentId,
        hash: &str,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    fn remove_agent(&self, agent: &AgentId) -> impl Future<Output = StoreResult<bool>> + Send;

    fn create_session(
        &self,
        token_hash: &str,
        agent: &AgentId,
        expires_at: Millis,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The agent a session token (by hash) belongs to, if it has not expired at `now`.
    fn session_agent(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> impl Future<Output = StoreResult<Option<AgentId>>> + Send;

    fn open_conversations(
        &self,
    ) -> impl Future<Output = StoreResult<Vec<ConversationRecord>>> + Send;
    fn conversation_by_token(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = StoreResult<Option<ConversationId>>> + Send;
    fn history(
        &self,
        conversation: &ConversationId,
    ) -> impl Future<Output = StoreResult<Vec<ChatMessage>>> + Send;

    /// The last sequence number given out on every stream.
    fn stream_heads(&self) -> impl Future<Output = StoreResult<Vec<(String, Seq)>>> + Send;
    /// The events of `stream` after `seq`, in order.
    fn outbox_after(
        &self,
        stream: &str,
        seq: Seq,
    ) -> impl Future<Output = StoreResult<Vec<(Seq, String)>>> + Send;
    /// Queues an administrator removed.
    fn removed_queues(&self) -> impl Future<Output = StoreResult<Vec<QueueId>>> + Send;

    /// The stored replies of `stream`, `(command id, reply JSON)`.
    fn replies(
        &self,
        stream: &str,
    ) -> impl Future<Output = StoreResult<Vec<(String, String)>>> + Send;
    /// Forgets replies stored before `before`.
    fn prune_replies(&self, before: Millis) -> impl Future<Output = StoreResult<()>> + Send;

    fn commit(&self, batch: Batch) -> impl Future<Output = StoreResult<()>> + Send;
}
