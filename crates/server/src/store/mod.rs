//! Durable storage behind one trait: the embedded SQLite store behind its journal, or PostgreSQL;
//! routing does not know which. Every routing step is written as one [`Batch`], atomically: the records it changed,
//! the events it emitted (the outbox) and the reply to the command that caused it.

pub mod api_keys;
pub mod audit;
mod contacts;
mod error;
pub mod facts;
pub mod files;
mod journal;
pub mod migrate;
mod postgres;
mod rows;
pub mod search;
pub mod settings;
mod sqlite;
mod templates;
pub mod webhook_events;

use std::future::Future;

use serde::{Deserialize, Serialize};
use switchboard_protocol::agent::Role;
use switchboard_protocol::{AgentId, ChatMessage, ConversationId, Millis, Presence, QueueId, Seq};

pub use api_keys::{ApiKey, ApiKeyStore, Scope};
pub use audit::{AuditAction, AuditEntry, AuditStore};
pub use contacts::ContactStore;
pub use error::StoreError;
pub use facts::FactStore;
pub use files::{FileRecord, FileStore};
pub use journal::Journaled;
pub use postgres::{PostgresStore, describe as describe_postgres, leadership, relay};
pub use search::SearchStore;
pub use settings::SettingsStore;
pub use sqlite::SqliteStore;
pub use templates::TemplateStore;
pub use webhook_events::{NewWebhookEvent, StoredEvent, WebhookEventStore};

/// The store keeps routing's records.
pub use crate::routing::{
    AgentRecord, ChannelAddress, ConversationRecord, Escalation, Fact, Receipts, Returning, Status,
};

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything one routing step changes, written atomically.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
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
    /// What happened, for the reports.
    #[serde(default)]
    pub facts: Vec<Fact>,
    /// Events for the event webhooks, in the order the steps made them (only while endpoints
    /// are configured).
    #[serde(default)]
    pub webhook_events: Vec<NewWebhookEvent>,
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
        self.facts.extend(later.facts);
        self.webhook_events.extend(later.webhook_events);
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
            && self.facts.is_empty()
            && self.webhook_events.is_empty()
    }
}

/// What the server keeps on disk.
pub trait Store:
    ApiKeyStore
    + AuditStore
    + ContactStore
    + FactStore
    + FileStore
    + SearchStore
    + SettingsStore
    + TemplateStore
    + WebhookEventStore
    + Clone
    + Send
    + Sync
    + 'static
{
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
    /// Gives an agent another name, queues and capacity; says whether there was such an agent.
    fn set_agent_work(
        &self,
        agent: &AgentId,
        name: &str,
        queues: &[QueueId],
        capacity: Option<u32>,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Gives an agent another role; says whether there was such an agent.
    fn set_role(
        &self,
        agent: &AgentId,
        role: Role,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    fn remove_agent(&self, agent: &AgentId) -> impl Future<Output = StoreResult<bool>> + Send;

    fn create_session(
        &self,
        token_hash: &str,
        agent: &AgentId,
        expires_at: Millis,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The agent a session token (by hash) belongs to, and when it expires, if it has not
    /// expired at `now`.
    fn session_agent(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> impl Future<Output = StoreResult<Option<(AgentId, Millis)>>> + Send;
    /// Ends one session (its token, by hash); says whether there was one.
    fn end_session(&self, token_hash: &str) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Ends every session of an agent.
    fn end_sessions(&self, agent: &AgentId) -> impl Future<Output = StoreResult<()>> + Send;

    /// Every open conversation with the latest page of its thread
    /// ([`switchboard_protocol::rules::HISTORY_PAGE`] messages), oldest first (read in two
    /// queries: a start after a busy day finds thousands of open threads).
    fn open_conversations(
        &self,
    ) -> impl Future<Output = StoreResult<Vec<(ConversationRecord, Vec<ChatMessage>)>>> + Send;
    /// Up to `limit` messages of `conversation` before message `before`, oldest first.
    fn messages_before(
        &self,
        conversation: &ConversationId,
        before: u64,
        limit: usize,
    ) -> impl Future<Output = StoreResult<Vec<ChatMessage>>> + Send;
    fn conversation_by_token(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = StoreResult<Option<ConversationId>>> + Send;

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

    /// The stored replies of `stream`, `(command id, reply JSON)`, newest first.
    fn replies(
        &self,
        stream: &str,
    ) -> impl Future<Output = StoreResult<Vec<(String, String)>>> + Send;
    /// The stored reply to command `id` on `stream`, if any.
    fn reply(
        &self,
        stream: &str,
        id: &str,
    ) -> impl Future<Output = StoreResult<Option<String>>> + Send;
    /// Forgets replies stored before `before`.
    fn prune_replies(&self, before: Millis) -> impl Future<Output = StoreResult<()>> + Send;

    fn commit(&self, batch: Batch) -> impl Future<Output = StoreResult<()>> + Send;

    /// [`Store::commit`] of a batch the caller keeps (to try again): a store that writes from a
    /// borrowed batch says so, instead of this copy.
    fn apply(&self, batch: &Batch) -> impl Future<Output = StoreResult<()>> + Send {
        self.commit(batch.clone())
    }

    /// Whether the store is working now: the reason it is not, if it is failing.
    fn health(&self) -> StoreResult<()> {
        Ok(())
    }

    /// Whether a step would be stored now rather than wait for the database: the reason it would
    /// wait, if so. Clients are refused with `unavailable` meanwhile.
    fn accepting(&self) -> StoreResult<()> {
        self.health()
    }

    /// Completes when the store has failed for good, with the reason: a store that fails only
    /// by its commits failing never does.
    fn failed(&self) -> impl Future<Output = StoreError> + Send {
        std::future::pending()
    }

    /// Waits until everything committed so far can be read back: a store that commits where
    /// it reads is always there.
    fn caught_up(&self) -> impl Future<Output = StoreResult<()>> + Send {
        std::future::ready(Ok(()))
    }

    /// How far apart commits should start: a store whose commit costs about the same however
    /// much it holds (a disk sync) asks for larger groups.
    fn commit_pacing(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}
