//! Routing (SPEC §1–4): presence, queues, offers, RONA, accept/reject, messages, ending with a
//! wrap-up reason, and what a lost connection does.
//!
//! The [`Router`] is the in-memory model of every agent and open conversation. It does no I/O
//! and reads no clock: each operation takes `now` and appends what it emits and changes to an
//! [`Effects`], which the hub persists and delivers. All routing decisions are made here, one at
//! a time, so a conversation can never be held by two agents.
//!
//! This file holds the model's types and what every part reads; each concept has its own file,
//! an `impl Router` block of its own:
//! - `presence.rs`: agents connecting, going away, choosing their presence;
//! - `start.rs`: what a customer's `start_chat` becomes (a new conversation, or their persistent
//!   one going on), decided before anything is staged;
//! - `intake.rs`: chats, SMS and Messenger messages coming in, the customer writing and leaving;
//! - `admission.rs`: the limits on waiting chats (per address, widget, queue);
//! - `abandoned.rs`: live chats whose customer went away before an agent answered;
//! - `bot.rs`: the bot answering first, and handing over;
//! - `persistent.rs`: persistent chat — reopening, moving to waiting, the returning customer;
//! - `work.rs`: accept, reject, reply, end with a wrap-up reason, close;
//! - `handover.rs`: transfer to an agent, conference, a supervisor's assignment;
//! - `queues.rs`: transfer and escalation to a queue, removing a queue, queue positions;
//! - `time.rs`: offers expiring into RONA, agents lost past the grace period;
//! - `dispatch.rs`: who gets an offer; making and withdrawing offers;
//! - `receipts.rs`: how far the customer's side received and saw the agents' messages;
//! - `reconfigure.rs`: the configuration read again while the server runs;
//! - `roles.rs`: what each role may do, checked for every supervisor command; `supervision.rs`:
//!   a supervisor monitoring, barging in, setting presence, assigning and moving conversations;
//! - `templates.rs`: templates added through the admin API; filling the parameters an agent's
//!   message carries;
//! - `thread.rs`: appending messages and the errands they start, Messenger's windows;
//! - `typing.rs`: who sees someone typing;
//! - `facts.rs`: what happened to each conversation, recorded for the reports; `surveys.rs`: an
//!   ended chat rated by its customer;
//! - `checks.rs`: the refusals commands share; `views.rs`: offers, snapshots, queue summaries;
//!   `overview.rs`: the model as the supervisors' live view shows it;
//! - `effects.rs`: what one step emits and changes.

mod abandoned;
mod accounts;
mod admission;
mod agents;
mod bot;
mod checks;
mod customers;
mod dispatch;
mod effects;
mod ending;
mod errands;
mod facts;
mod files;
mod handover;
mod intake;
mod overview;
mod persistent;
mod presence;
mod queues;
mod receipts;
mod reconfigure;
mod records;
mod roles;
mod start;
mod supervision;
mod surveys;
mod templates;
mod thread;
mod time;
mod typing;
mod views;
mod work;

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;

use switchboard_mask::{KindSet, Masker};
use switchboard_protocol::agent::{AgentSummary, ContactCard, Customer};
use switchboard_protocol::template::Template;
use switchboard_protocol::{
    AgentId, ChatMessage, ContextValue, ConversationId, ErrorBody, ErrorCode, Millis, Presence,
    QueueId, Sender,
};

pub use abandoned::CUSTOMER_LEFT_WAITING;
use agents::Agents;
pub use customers::{ContactKey, SignedInCustomer};
pub use effects::{Effects, Emit};
pub use ending::Ending;
pub use errands::{
    BOT_NAME, BotAnswer, BotTurn, Errand, Handoff, Inbound, MAX_INBOUND_CHARS, Outbound, Receipt,
};
pub use facts::{Fact, FactKind};
pub use overview::{AgentNow, QueueNow};
pub use records::{
    AgentRecord, ChannelAddress, ConversationRecord, Escalation, Receipts, Returning, Status,
};
pub use roles::Readable;
pub use start::{Intake, StartChat};
use time::Deadline;
pub use typing::{TypingAudience, Typist};

use crate::config::Config;

/// The line the thread shows when the customer leaves.
pub const CUSTOMER_ENDED: &str = "Customer ended the conversation";

/// Estimated wait per position before any conversation has been accepted.
const INITIAL_WAIT_MILLIS: u64 = 30_000;

type Result<T = ()> = std::result::Result<T, ErrorBody>;

fn error(code: ErrorCode, message: impl Into<String>) -> ErrorBody {
    ErrorBody::new(code, message)
}

/// An agent as routing sees them.
#[derive(Debug)]
struct Agent {
    summary: AgentSummary,
    queues: Vec<QueueId>,
    capacity: usize,
    presence: Presence,
    presence_since: Millis,
    /// Since when the agent has had no new work: the longest idle is offered first.
    idle_since: Millis,
    connected: bool,
    disconnected_at: Option<Millis>,
    held: BTreeSet<ConversationId>,
    offer: Option<ConversationId>,
    /// Conversations transferred away, waiting for this agent's wrap-up reason.
    wrap_ups: BTreeSet<ConversationId>,
}

impl Agent {
    fn can_take_offer(&self) -> bool {
        self.connected
            && self.presence == Presence::Available
            && self.offer.is_none()
            && self.held.len() < self.capacity
    }
}

/// An open conversation.
#[derive(Debug)]
struct Conversation {
    record: ConversationRecord,
    /// The latest page of the thread ([`switchboard_protocol::rules::HISTORY_PAGE`] messages);
    /// earlier ones are in the store.
    history: VecDeque<ChatMessage>,
    /// When the customer last wrote, if the server has seen it (in the thread's latest page at
    /// start, or since).
    customer_wrote_at: Option<Millis>,
    offer: Option<PendingOffer>,
    /// Agents who rejected it: not offered to them again.
    rejected_by: HashSet<AgentId>,
    /// The queue position the customer was last told.
    told_position: Option<u32>,
    /// The contact it was matched to, as the Customer summary shows them.
    contact: Option<ContactCard>,
    /// Where a live chat came from (its widget and the customer's address), for the limits on
    /// waiting chats; known for chats started since the server did.
    origin: Option<Origin>,
    /// Since when a live chat's customer has had no connection; `None` while connected.
    customer_away_since: Option<Millis>,
}

/// Where a live chat came from.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    widget: String,
    client: Option<IpAddr>,
}

/// A chat a customer asks for, as the widget sent it, with the contact it was matched to.
#[derive(Debug)]
pub struct ChatRequest<'a> {
    pub widget: &'a str,
    pub customer: Customer,
    pub first_message: &'a str,
    pub context: Vec<(String, ContextValue)>,
    pub contact: Option<ContactCard>,
    /// The signed-in customer's id, for a persistent chat.
    pub customer_id: Option<String>,
    /// The customer accepted the widget's invitation.
    pub proactive: bool,
    /// The customer's address, for the limit on chats waiting from one address.
    pub client: Option<IpAddr>,
    /// The customer's language code, when their widget said it.
    pub language: Option<String>,
}

#[derive(Clone, Debug)]
struct PendingOffer {
    agent: AgentId,
    expires_at: Millis,
    kind: OfferKind,
}

/// What accepting an offer does.
#[derive(Clone, Debug, PartialEq, Eq)]
enum OfferKind {
    /// A waiting conversation from its queue.
    Queue,
    /// A held conversation its holder hands over.
    Transfer { from: AgentId },
    /// An invitation to join a held conversation.
    Conference { host: AgentId },
}

/// The routing model. See the module documentation.
#[derive(Debug)]
pub struct Router {
    config: Arc<Config>,
    agents: Agents,
    conversations: HashMap<ConversationId, Conversation>,
    /// Waiting conversations per queue, longest waiting first; offered ones are taken out.
    queues: HashMap<QueueId, VecDeque<ConversationId>>,
    /// Moving average of how long customers waited for an agent.
    average_wait: Millis,
    /// Queues an administrator removed: configured, but served no more.
    removed: HashSet<QueueId>,
    /// Returning persistent conversations kept for the agent who moved them to waiting.
    reserved: BTreeSet<ConversationId>,
    /// What time will decide, soonest first.
    deadlines: BTreeSet<(Millis, Deadline)>,
    /// Masks payment data in what is stored, unless `[privacy] store_payment_data`.
    payment_masker: Option<Masker>,
    /// Offers pending when the server stopped: their agents are told they are withdrawn at the
    /// first tick.
    stale_offers: Vec<(AgentId, ConversationId)>,
    /// Live chats waiting per widget and per address, for the limits on them.
    waiting: admission::Waiting,
    /// Message templates an administrator added through the admin API.
    added_templates: Vec<Template>,
    /// Ended chats their customers may still rate.
    awaiting_survey: HashMap<ConversationId, surveys::AwaitingSurvey>,
}

impl Router {
    /// The model as stored: agents (all starting disconnected, their grace period from `now`)
    /// and open conversations with their threads.
    pub fn new(
        config: Arc<Config>,
        agents: Vec<AgentRecord>,
        conversations: Vec<(ConversationRecord, Vec<ChatMessage>)>,
        removed: Vec<QueueId>,
        now: Millis,
    ) -> Router {
        let payment_masker =
            (!config.privacy.store_payment_data).then(|| Masker::new(KindSet::PAYMENT));
        let mut router = Router {
            queues: config
                .queues
                .iter()
                .map(|q| (q.id.clone(), VecDeque::new()))
                .collect(),
            config,
            agents: Agents::default(),
            conversations: HashMap::new(),
            average_wait: INITIAL_WAIT_MILLIS,
            removed: HashSet::new(),
            reserved: BTreeSet::new(),
            deadlines: BTreeSet::new(),
            payment_masker,
            stale_offers: Vec::new(),
            waiting: admission::Waiting::default(),
            added_templates: Vec::new(),
            awaiting_survey: HashMap::new(),
        };
        for queue in removed {
            router.queues.remove(&queue);
            router.removed.insert(queue);
        }
        for record in agents {
            router.add_agent(record, now);
        }
        let mut waiting = Vec::new();
        for (record, history) in conversations {
            let id = record.id.clone();
            match &record.status {
                // With the bot, it waits for its answer (asked again from the outbox).
                Status::Waiting { .. } if record.with_bot => {}
                // A returning customer kept for their agent.
                Status::Waiting { .. }
                    if record.returning.as_ref().is_some_and(|r| r.agent.is_some()) =>
                {
                    router.reserved.insert(id.clone());
                }
                Status::Waiting { since } => waiting.push((*since, id.clone())),
                // Moved to waiting: nobody's load, in no queue, until the customer writes.
                Status::Parked { .. } => {}
                Status::Held { agent, .. } | Status::WrapUp { agent, .. } => {
                    for participant in std::iter::once(agent).chain(&record.conference) {
                        if let Some(holder) = router.agents.get_mut(participant) {
                            holder.held.insert(id.clone());
                        }
                    }
                }
                Status::Closed { .. } => continue,
            }
            let mut record = record;
            record.next_message = history.last().map_or(1, |message| message.id + 1);
            if let Some(agent) = record.offered_to.clone() {
                router.stale_offers.push((agent, id.clone()));
            }
            let conversation = Conversation {
                record,
                customer_wrote_at: history
                    .iter()
                    .rev()
                    .find(|message| matches!(message.from, Sender::Customer { .. }))
                    .map(|message| message.sent_at),
                history: history.into(),
                offer: None,
                rejected_by: HashSet::new(),
                told_position: None,
                contact: None,
                origin: None,
                customer_away_since: None,
            };
            router.conversations.insert(id.clone(), conversation);
            // Nobody is connected after a start: a live chat whose customer does not come back
            // is abandoned in time.
            router.customer_disconnected(&id, now);
        }
        waiting.sort();
        for (_, id) in waiting {
            let queue = router.conversations[&id].record.queue.clone();
            router.queues.entry(queue).or_default().push_back(id);
        }
        router
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The configuration, for work done off the hub.
    pub fn shared_config(&self) -> Arc<Config> {
        self.config.clone()
    }

    /// Adds an account created while the server runs.
    pub fn add_agent(&mut self, record: AgentRecord, now: Millis) {
        let capacity = record
            .capacity
            .unwrap_or(self.config.agents.default_capacity) as usize;
        let agent = Agent {
            summary: AgentSummary {
                id: record.id.clone(),
                name: record.name,
                email: record.email,
                role: record.role,
            },
            queues: record.queues,
            capacity,
            presence: record.presence,
            presence_since: record.presence_since,
            idle_since: now,
            connected: false,
            disconnected_at: Some(now),
            held: BTreeSet::new(),
            offer: None,
            wrap_ups: BTreeSet::new(),
        };
        // Until their desktop connects, the grace period runs from now.
        self.start_grace(&record.id, now);
        self.agents.insert(record.id, agent);
    }

    pub fn agent(&self, id: &AgentId) -> Option<&AgentSummary> {
        self.agents.get(id).map(|agent| &agent.summary)
    }

    pub fn presence(&self, id: &AgentId) -> Option<&Presence> {
        self.agents.get(id).map(|agent| &agent.presence)
    }

    pub fn holder(&self, conversation: &ConversationId) -> Option<&AgentId> {
        match &self.conversations.get(conversation)?.record.status {
            Status::Held { agent, .. } | Status::WrapUp { agent, .. } => Some(agent),
            _ => None,
        }
    }

    /// The holder of a conversation and the agents in conference with them.
    fn participants(&self, conversation: &ConversationId) -> Vec<AgentId> {
        let Some(holder) = self.holder(conversation) else {
            return Vec::new();
        };
        let mut agents = vec![holder.clone()];
        agents.extend(
            self.conversations[conversation]
                .record
                .conference
                .iter()
                .cloned(),
        );
        agents
    }

    /// The record of an open conversation, as the store keeps it.
    pub fn record(&self, conversation: &ConversationId) -> Option<&ConversationRecord> {
        self.conversations.get(conversation).map(|c| &c.record)
    }
}

#[cfg(test)]
mod tests;
