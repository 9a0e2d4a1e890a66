//! Routing (SPEC §1–4): presence, queues, offers, RONA, accept/reject, messages, ending with a
//! wrap-up reason, and what a lost connection does.
//!
//! The [`Router`] is the in-memory model of every agent and open conversation. It does no I/O
//! and reads no clock: each operation takes `now` and appends what it emits and changes to an
//! [`Effects`], which the hub persists and delivers. All routing decisions are made here, one at
//! a time, so a conversation can never be held by two agents.

mod effects;
mod handover;

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use switchboard_protocol::agent::{
    AgentEvent, AgentSummary, ContactCard, ConversationSnapshot, Customer, InteractionState,
    NamedContextValue, Offer, PresenceRequest, QueueSummary, Scenario, WithdrawReason,
};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::rules::{self, MAX_CONTEXT_VARIABLES, MAX_ESCALATION_REASON_CHARS};
use switchboard_protocol::{
    AgentId, Attachment, Channel, ChatMessage, ContextValue, ConversationId, EndedBy, ErrorBody,
    ErrorCode, Millis, Presence, QueueId, Sender,
};

pub use effects::{Effects, Emit};

use crate::channels::bot::{BOT_NAME, BotAnswer};
use crate::channels::{BotTurn, Errand, Inbound, Outbound, Receipt};
use crate::config::{Config, IfAgentOffline};
use crate::store::{
    AgentRecord, ChannelAddress, ConversationRecord, Escalation, Returning, Status,
};

/// The line the thread shows when the customer leaves.
pub const CUSTOMER_ENDED: &str = "Customer ended the conversation";

const DAY: Millis = 24 * 3_600_000;
/// Messenger's window for standard replies after the customer's last message.
const STANDARD_REPLY_WINDOW: Millis = DAY;
/// Messenger's window for a human agent's tagged replies.
const HUMAN_AGENT_REPLY_WINDOW: Millis = 7 * DAY;

/// Estimated wait per position before any conversation has been accepted.
const INITIAL_WAIT_MILLIS: u64 = 30_000;

type Result<T = ()> = std::result::Result<T, ErrorBody>;

/// The refusal of anything but ending an interrupted conversation.
fn interrupted(reason: &str) -> ErrorBody {
    error(
        ErrorCode::InvalidState,
        format!("This conversation was interrupted ({reason}); you can only end it."),
    )
}

fn error(code: ErrorCode, message: impl Into<String>) -> ErrorBody {
    ErrorBody::new(code, message)
}

/// The start of a message, to name it in a line of the thread.
fn preview(text: &str) -> String {
    const CHARS: usize = 40;
    match text.char_indices().nth(CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
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
    history: Vec<ChatMessage>,
    offer: Option<PendingOffer>,
    /// Agents who rejected it: not offered to them again.
    rejected_by: HashSet<AgentId>,
    /// The queue position the customer was last told.
    told_position: Option<u32>,
    /// The contact it was matched to, as the Customer summary shows them.
    contact: Option<ContactCard>,
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
    agents: HashMap<AgentId, Agent>,
    conversations: HashMap<ConversationId, Conversation>,
    /// Waiting conversations per queue, longest waiting first; offered ones are taken out.
    queues: HashMap<QueueId, VecDeque<ConversationId>>,
    /// Moving average of how long customers waited for an agent.
    average_wait: Millis,
    /// Queues an administrator removed: configured, but served no more.
    removed: HashSet<QueueId>,
    /// Returning persistent conversations kept for the agent who moved them to waiting.
    reserved: BTreeSet<ConversationId>,
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
        let mut router = Router {
            queues: config
                .queues
                .iter()
                .map(|q| (q.id.clone(), VecDeque::new()))
                .collect(),
            config,
            agents: HashMap::new(),
            conversations: HashMap::new(),
            average_wait: INITIAL_WAIT_MILLIS,
            removed: HashSet::new(),
            reserved: BTreeSet::new(),
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
            let conversation = Conversation {
                record,
                history,
                offer: None,
                rejected_by: HashSet::new(),
                told_position: None,
                contact: None,
            };
            router.conversations.insert(id, conversation);
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

    // --- Agents: connection and presence -------------------------------------------------

    /// The agent's desktop connected. A fresh start (not a resume) gets the whole picture:
    /// presence, profile, every held conversation and any pending offer.
    pub fn agent_connected(&mut self, id: &AgentId, fresh: bool, now: Millis, fx: &mut Effects) {
        let Some(agent) = self.agents.get_mut(id) else {
            return;
        };
        agent.connected = true;
        agent.disconnected_at = None;
        if fresh {
            let presence = AgentEvent::Presence {
                presence: agent.presence.clone(),
                since: agent.presence_since,
            };
            fx.agent(id, presence);
            fx.agent(
                id,
                AgentEvent::Profile {
                    profile: self.config.desktop_profile(),
                },
            );
            let held: Vec<ConversationId> = agent.held.iter().cloned().collect();
            let offered = agent.offer.clone();
            for conversation in held {
                let snapshot = self.snapshot(&conversation);
                fx.agent(
                    id,
                    AgentEvent::Snapshot {
                        conversation: snapshot,
                    },
                );
            }
            if let Some(conversation) = offered {
                let offer = self.offer_for(&conversation);
                fx.agent(id, AgentEvent::Offer { offer });
            }
        }
        self.dispatch(now, fx);
    }

    /// The agent's desktop went away. Presence and conversations stay for the grace period.
    pub fn agent_disconnected(&mut self, id: &AgentId, now: Millis) {
        if let Some(agent) = self.agents.get_mut(id) {
            agent.connected = false;
            agent.disconnected_at = Some(now);
        }
    }

    pub fn set_presence(
        &mut self,
        id: &AgentId,
        request: PresenceRequest,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        let agent = self
            .agents
            .get(id)
            .ok_or_else(|| error(ErrorCode::NotFound, "No such agent."))?;
        let presence = match request {
            PresenceRequest::Available => Presence::Available,
            PresenceRequest::Idle { reason } => {
                if !self.config.idle_reasons.contains(&reason) {
                    return Err(error(
                        ErrorCode::UnknownReason,
                        format!(
                            "\"{reason}\" is not an idle reason; choose one of: {}.",
                            self.config.idle_reasons.join(", ")
                        ),
                    ));
                }
                Presence::Idle { reason }
            }
            PresenceRequest::Offline => {
                if !agent.held.is_empty() {
                    return Err(error(
                        ErrorCode::InvalidState,
                        format!(
                            "End or transfer your {} conversation(s) before signing out.",
                            agent.held.len()
                        ),
                    ));
                }
                Presence::Offline
            }
        };
        if let Some(conversation) = agent
            .offer
            .clone()
            .filter(|_| presence != Presence::Available)
        {
            // Leaving Available gives the pending offer back, without RONA: the agent answered.
            self.withdraw_offer(&conversation, WithdrawReason::Rejected, now, fx);
        }
        let agent = self.agents.get_mut(id).expect("checked above");
        if presence == Presence::Available && agent.presence != Presence::Available {
            agent.idle_since = now;
        }
        self.change_presence(id, presence, now, fx);
        self.dispatch(now, fx);
        Ok(())
    }

    fn change_presence(&mut self, id: &AgentId, presence: Presence, now: Millis, fx: &mut Effects) {
        let agent = self.agents.get_mut(id).expect("a known agent");
        if agent.presence == presence {
            return;
        }
        agent.presence = presence.clone();
        agent.presence_since = now;
        fx.presences.push((id.clone(), presence.clone(), now));
        fx.agent(
            id,
            AgentEvent::Presence {
                presence,
                since: now,
            },
        );
    }

    /// Agents other than `asking` who could take a transfer or conference now, for pickers.
    pub fn available_agents(&self, asking: &AgentId) -> Vec<AgentSummary> {
        let mut agents: Vec<AgentSummary> = self
            .agents
            .values()
            .filter(|agent| agent.connected && agent.presence == Presence::Available)
            .filter(|agent| &agent.summary.id != asking)
            .map(|agent| agent.summary.clone())
            .collect();
        agents.sort_by(|a, b| a.name.cmp(&b.name));
        agents
    }

    pub fn queue_summaries(&self) -> Vec<QueueSummary> {
        self.config
            .queues
            .iter()
            .filter(|q| !self.removed.contains(&q.id))
            .map(|q| self.queue_summary(&q.id))
            .collect()
    }

    // --- Customers --------------------------------------------------------------------------

    /// A customer starts a live chat from a widget.
    #[allow(clippy::too_many_arguments)]
    pub fn start_chat(
        &mut self,
        id: ConversationId,
        token: &str,
        token_hash: String,
        request: ChatRequest<'_>,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        let ChatRequest {
            widget,
            customer,
            first_message,
            context,
            contact,
            customer_id,
            proactive,
        } = request;
        let widget = self.config.widget(widget).ok_or_else(|| {
            error(
                ErrorCode::NotFound,
                format!("No widget \"{widget}\" is configured."),
            )
        })?;
        if proactive && !widget.proactive {
            return Err(error(
                ErrorCode::InvalidInput,
                "This chat does not invite visitors.",
            ));
        }
        if self.removed.contains(&widget.queue) {
            return Err(error(
                ErrorCode::NotFound,
                "This chat is not available right now.",
            ));
        }
        if customer.name.trim().is_empty() || customer.name.chars().count() > 100 {
            return Err(error(
                ErrorCode::InvalidInput,
                "Please give a name of 1 to 100 characters.",
            ));
        }
        if customer
            .email
            .as_ref()
            .is_some_and(|email| !email.contains('@') || email.len() > 254)
        {
            return Err(error(
                ErrorCode::InvalidInput,
                "That e-mail address does not look right.",
            ));
        }
        if context.len() > MAX_CONTEXT_VARIABLES {
            return Err(error(
                ErrorCode::InvalidInput,
                format!(
                    "At most {MAX_CONTEXT_VARIABLES} context variables can be passed; got {}.",
                    context.len()
                ),
            ));
        }
        rules::check_message(first_message)?;
        let record = ConversationRecord {
            context: context
                .into_iter()
                .map(|(name, value)| NamedContextValue { name, value })
                .collect(),
            contact: contact.as_ref().map(|card| card.id.clone()),
            persistent: self.config.is_persistent(widget),
            customer_id,
            proactive,
            ..ConversationRecord::waiting(
                id.clone(),
                Channel::Chat,
                widget.queue.clone(),
                Customer {
                    name: customer.name.trim().to_owned(),
                    ..customer
                },
                first_message,
                now,
            )
        };
        fx.customer(
            &id,
            CustomerEvent::Started {
                conversation: id.clone(),
                token: token.to_owned(),
                persistent: record.persistent,
            },
        );
        self.admit(
            record,
            token_hash,
            contact,
            first_message,
            Vec::new(),
            now,
            fx,
        );
        Ok(())
    }

    /// A customer's SMS or Messenger message: it continues their open conversation with the same
    /// number or page, or starts one in the queue the number or page routes to. Returns the
    /// conversation.
    pub fn inbound(
        &mut self,
        new_id: ConversationId,
        token_hash: String,
        inbound: Inbound,
        contact: Option<ContactCard>,
        now: Millis,
        fx: &mut Effects,
    ) -> Result<ConversationId> {
        inbound.check()?;
        let Inbound {
            channel,
            address,
            queue,
            text,
            attachments,
            customer_name,
            ..
        } = inbound;
        if let Some(open) = self.open_with(channel, &address) {
            let name = self.conversations[&open].record.customer.name.clone();
            self.append_with(
                &open,
                Sender::Customer { name },
                &text,
                attachments,
                now,
                fx,
            );
            return Ok(open);
        }
        if self.removed.contains(&queue) || self.config.queue(&queue).is_none() {
            return Err(error(
                ErrorCode::NotFound,
                format!("The queue \"{queue}\" is not served."),
            ));
        }
        let phone = (channel == Channel::Sms).then(|| address.customer.clone());
        let name = match &contact {
            Some(card) => card.name.clone(),
            None if channel == Channel::Sms => address.customer.clone(),
            None => customer_name.unwrap_or_else(|| "Messenger customer".to_owned()),
        };
        let customer = Customer {
            name,
            email: contact.as_ref().and_then(|card| card.email.clone()),
            phone: phone.or_else(|| contact.as_ref().and_then(|card| card.phone.clone())),
        };
        let record = ConversationRecord {
            contact: contact.as_ref().map(|card| card.id.clone()),
            address: Some(address),
            ..ConversationRecord::waiting(new_id.clone(), channel, queue, customer, &text, now)
        };
        self.admit(record, token_hash, contact, &text, attachments, now, fx);
        Ok(new_id)
    }

    /// Records how far the customer's device got, or the customer read, in their open
    /// conversation with that number or page.
    pub fn receipt(&mut self, channel: Channel, receipt: Receipt, fx: &mut Effects) {
        let (Receipt::Delivered(address, at) | Receipt::Read(address, at)) = &receipt;
        let Some(id) = self.open_with(channel, address) else {
            return;
        };
        let record = &mut self.conversations.get_mut(&id).expect("open").record;
        let mark = match &receipt {
            Receipt::Delivered(..) => &mut record.receipts.delivered_up_to,
            Receipt::Read(..) => &mut record.receipts.read_up_to,
        };
        if mark.is_none_or(|mark| mark < *at) {
            *mark = Some(*at);
            fx.touch(record);
        }
    }

    /// The open conversation of a channel between these two ends, unless it only waits for its
    /// wrap-up: a message after that starts a new one.
    fn open_with(&self, channel: Channel, address: &ChannelAddress) -> Option<ConversationId> {
        self.conversations
            .values()
            .find(|c| {
                c.record.channel == channel
                    && c.record.address.as_ref() == Some(address)
                    && !matches!(c.record.status, Status::WrapUp { .. })
            })
            .map(|c| c.record.id.clone())
    }

    /// Opens a conversation with the customer's first message and queues it.
    #[allow(clippy::too_many_arguments)]
    fn admit(
        &mut self,
        record: ConversationRecord,
        token_hash: String,
        contact: Option<ContactCard>,
        first_message: &str,
        attachments: Vec<Attachment>,
        now: Millis,
        fx: &mut Effects,
    ) {
        let mut record = record;
        // A workstream with a bot lets it answer first.
        record.with_bot = self.config.workstream(record.channel).bot.is_some();
        let id = record.id.clone();
        let queue = record.queue.clone();
        let customer_name = record.customer.name.clone();
        let with_bot = record.with_bot;
        fx.created.push((record.clone(), token_hash));
        self.conversations.insert(
            id.clone(),
            Conversation {
                record,
                history: Vec::new(),
                offer: None,
                rejected_by: HashSet::new(),
                told_position: None,
                contact,
            },
        );
        self.append_with(
            &id,
            Sender::Customer {
                name: customer_name,
            },
            first_message,
            attachments,
            now,
            fx,
        );
        if !with_bot {
            self.queues.entry(queue).or_default().push_back(id);
            self.dispatch(now, fx);
        }
    }

    /// The bot answered the customer (or failed to): its messages join the thread, and a
    /// hand-over — or a failure, so that nobody is left waiting — queues the conversation for
    /// people, marked as escalated from the bot.
    pub fn bot_answered(
        &mut self,
        id: &ConversationId,
        answer: std::result::Result<BotAnswer, String>,
        now: Millis,
        fx: &mut Effects,
    ) {
        if !self
            .conversations
            .get(id)
            .is_some_and(|c| c.record.with_bot)
        {
            // Ended, or handed over already: a late answer changes nothing.
            return;
        }
        let handoff = match answer {
            Ok(BotAnswer { texts, handoff }) => {
                for text in texts {
                    let bot = Sender::Bot {
                        name: BOT_NAME.to_owned(),
                    };
                    self.append(id, bot, &text, now, fx);
                }
                handoff.map(|handoff| {
                    let reason = handoff
                        .reason
                        .filter(|reason| !reason.trim().is_empty())
                        .unwrap_or_else(|| "The bot handed the conversation over".to_owned());
                    (handoff.queue, reason)
                })
            }
            Err(failure) => Some((None, format!("The bot did not answer ({failure})"))),
        };
        let Some((queue, reason)) = handoff else {
            return;
        };
        let own = self.conversations[id].record.queue.clone();
        let queue = queue
            .filter(|queue| self.config.queue(queue).is_some() && !self.removed.contains(queue))
            .unwrap_or(own);
        self.append(id, Sender::System, &reason, now, fx);
        let record = &mut self.conversations.get_mut(id).expect("open").record;
        record.with_bot = false;
        record.queue = queue.clone();
        record.escalation = Some(Escalation {
            reason,
            from_bot: true,
        });
        fx.touch(record);
        self.queues.entry(queue).or_default().push_back(id.clone());
        self.dispatch(now, fx);
    }

    /// The signed-in customer's open persistent conversation, if they have one.
    pub fn persistent_conversation(&self, customer_id: &str) -> Option<ConversationId> {
        self.conversations
            .values()
            .find(|c| c.record.persistent && c.record.customer_id.as_deref() == Some(customer_id))
            .map(|c| c.record.id.clone())
    }

    /// The customer opens their persistent conversation again (another visit, another device):
    /// they get a new resume token and the whole history.
    pub fn reopen(
        &mut self,
        id: &ConversationId,
        token: &str,
        token_hash: String,
        fx: &mut Effects,
    ) {
        let conversation = &self.conversations[id];
        fx.tokens.push((id.clone(), token_hash));
        fx.customer(
            id,
            CustomerEvent::Started {
                conversation: id.clone(),
                token: token.to_owned(),
                persistent: true,
            },
        );
        let messages = conversation
            .history
            .iter()
            .filter(|message| message.from != Sender::System)
            .cloned()
            .collect();
        fx.customer(id, CustomerEvent::History { messages });
        if let Status::Held { agent, .. } = &conversation.record.status {
            let name = self.agents[agent].summary.name.clone();
            fx.customer(id, CustomerEvent::AgentJoined { name });
        }
    }

    /// The agent moves a persistent conversation to waiting: it leaves their task list and
    /// capacity until the customer writes again.
    pub fn park(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.check_active(agent, id)?;
        let record = &self.conversations[id].record;
        if !record.persistent {
            return Err(error(
                ErrorCode::InvalidState,
                "Only a persistent conversation can be moved to waiting.",
            ));
        }
        if !record.conference.is_empty() || self.conversations[id].offer.is_some() {
            return Err(error(
                ErrorCode::InvalidState,
                "Finish the conference or transfer first.",
            ));
        }
        let name = self.agents[agent].summary.name.clone();
        let line = format!("{name} moved the conversation to waiting");
        self.append(id, Sender::System, &line, now, fx);
        let holder = self.agents.get_mut(agent).expect("holds it");
        holder.held.remove(id);
        holder.idle_since = now;
        let parked = Status::Parked {
            agent: agent.clone(),
            since: now,
        };
        self.set_status(id, parked, fx);
        fx.agent(
            agent,
            AgentEvent::Closed {
                conversation: id.clone(),
            },
        );
        self.dispatch(now, fx);
        Ok(())
    }

    /// A customer wrote in a conversation moved to waiting: it goes back to the agent who had
    /// it (whatever their load), or to its queue when that agent is offline and the workstream
    /// says not to wait for them.
    fn customer_returned(
        &mut self,
        id: &ConversationId,
        agent: AgentId,
        now: Millis,
        fx: &mut Effects,
    ) {
        let workstream = self.config.workstream(Channel::Chat);
        let online = self
            .agents
            .get(&agent)
            .is_some_and(|a| a.connected && a.presence != Presence::Offline);
        let keep = workstream.keep_same_agent
            && (online || workstream.if_agent_offline == IfAgentOffline::Wait);
        let record = &mut self.conversations.get_mut(id).expect("open").record;
        record.returning = Some(Returning {
            agent: keep.then(|| agent.clone()),
        });
        self.set_status(id, Status::Waiting { since: now }, fx);
        if keep {
            self.reserved.insert(id.clone());
        } else {
            let queue = self.conversations[id].record.queue.clone();
            self.queues.entry(queue).or_default().push_back(id.clone());
        }
        self.dispatch(now, fx);
    }

    /// Offers returning customers to the agents they are kept for, whatever their load; one kept
    /// for an agent who went offline goes to its queue when the workstream says not to wait.
    fn offer_reserved(&mut self, now: Millis, fx: &mut Effects) {
        let wait_for_offline =
            self.config.workstream(Channel::Chat).if_agent_offline == IfAgentOffline::Wait;
        for id in self.reserved.clone() {
            let conversation = &self.conversations[&id];
            if conversation.offer.is_some() {
                continue;
            }
            let Some(agent_id) = conversation
                .record
                .returning
                .as_ref()
                .and_then(|r| r.agent.clone())
            else {
                continue;
            };
            let agent = self.agents.get(&agent_id);
            let online = agent.is_some_and(|a| a.connected && a.presence != Presence::Offline);
            if !online && !wait_for_offline {
                self.release_reserved(&id, fx);
                let queue = self.conversations[&id].record.queue.clone();
                self.queues.entry(queue).or_default().push_back(id);
                continue;
            }
            let free = agent.is_some_and(|a| {
                online
                    && a.offer.is_none()
                    && matches!(a.presence, Presence::Available | Presence::Idle { .. })
            });
            if free {
                self.make_offer(&agent_id, &id, OfferKind::Queue, now, fx);
            }
        }
    }

    /// A returning conversation is no longer kept for its agent: anyone in its queue may take it.
    fn release_reserved(&mut self, id: &ConversationId, fx: &mut Effects) {
        if self.reserved.remove(id) {
            let record = &mut self.conversations.get_mut(id).expect("open").record;
            record.returning = Some(Returning { agent: None });
            fx.touch(record);
        }
    }

    /// Gives an open conversation its contact's card (loaded from the store after a restart).
    pub fn attach_contact(&mut self, id: &ConversationId, card: ContactCard) {
        if let Some(conversation) = self.conversations.get_mut(id) {
            conversation.contact = Some(card);
        }
    }

    pub fn customer_message(
        &mut self,
        id: &ConversationId,
        text: &str,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        rules::check_message(text)?;
        let conversation = self.open_conversation(id)?;
        if matches!(conversation.record.status, Status::WrapUp { .. }) {
            return Err(error(
                ErrorCode::InvalidState,
                "This conversation has ended.",
            ));
        }
        let name = conversation.record.customer.name.clone();
        let parked_with = match &conversation.record.status {
            Status::Parked { agent, .. } => Some(agent.clone()),
            _ => None,
        };
        self.append(id, Sender::Customer { name }, text, now, fx);
        if let Some(agent) = parked_with {
            self.customer_returned(id, agent, now, fx);
        }
        Ok(())
    }

    /// The customer ends the chat from the widget.
    pub fn customer_end(&mut self, id: &ConversationId, now: Millis, fx: &mut Effects) -> Result {
        let conversation = self.open_conversation(id)?;
        if conversation.record.persistent {
            return Err(error(
                ErrorCode::InvalidState,
                "This conversation stays open: write again whenever you like.",
            ));
        }
        match conversation.record.status.clone() {
            Status::Waiting { .. } | Status::Parked { .. } => {
                if conversation.offer.is_some() {
                    self.withdraw_offer(id, WithdrawReason::CustomerLeft, now, fx);
                }
                self.remove_from_queue(id);
                self.close(id, EndedBy::Customer, None, now, fx);
            }
            Status::Held { agent, accepted_at } => {
                if self.conversations[id].offer.is_some() {
                    self.withdraw_offer(id, WithdrawReason::CustomerLeft, now, fx);
                }
                self.append(id, Sender::System, CUSTOMER_ENDED, now, fx);
                // Only the holder wraps up; agents in conference are released.
                self.release_guests(id, now, fx);
                let ended_by = EndedBy::Customer;
                self.set_status(
                    id,
                    Status::WrapUp {
                        agent: agent.clone(),
                        accepted_at,
                        ended_by,
                    },
                    fx,
                );
                fx.state(&agent, id, InteractionState::WrapUp { ended_by });
                self.tell_customer(id, CustomerEvent::Ended { by: ended_by }, fx);
            }
            Status::WrapUp { .. } | Status::Closed { .. } => {
                return Err(error(
                    ErrorCode::InvalidState,
                    "This conversation has already ended.",
                ));
            }
        }
        self.dispatch(now, fx);
        Ok(())
    }

    // --- Agents: work -------------------------------------------------------------------------

    pub fn accept(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.check_offered_to(agent, id)?;
        let conversation = self.conversations.get_mut(id).expect("checked");
        let offer = conversation.offer.take().expect("checked");
        if offer.kind != OfferKind::Queue {
            self.accept_handover(agent, id, offer.kind, now, fx);
            return Ok(());
        }
        let Status::Waiting { since } = conversation.record.status else {
            unreachable!("only waiting conversations are offered")
        };
        self.average_wait = (self.average_wait * 4 + now.saturating_sub(since)) / 5;
        self.give_waiting(agent, id, now, fx);
        Ok(())
    }

    /// A waiting conversation becomes `agent`'s: whatever it waited for (an escalation, a
    /// returning customer's agent, the bot) has reached someone.
    pub(super) fn give_waiting(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        now: Millis,
        fx: &mut Effects,
    ) {
        self.remove_from_queue(id);
        self.reserved.remove(id);
        let record = &mut self.conversations.get_mut(id).expect("open").record;
        record.escalation = None;
        record.returning = None;
        record.with_bot = false;
        let holder = self.agents.get_mut(agent).expect("known");
        if holder.offer.as_ref() == Some(id) {
            holder.offer = None;
        }
        holder.held.insert(id.clone());
        holder.idle_since = now;
        let name = holder.summary.name.clone();
        self.set_status(
            id,
            Status::Held {
                agent: agent.clone(),
                accepted_at: now,
            },
            fx,
        );
        fx.agent(
            agent,
            AgentEvent::Snapshot {
                conversation: self.snapshot(id),
            },
        );
        self.tell_customer(id, CustomerEvent::AgentJoined { name }, fx);
    }

    pub fn reject(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.check_offered_to(agent, id)?;
        self.withdraw_offer(id, WithdrawReason::Rejected, now, fx);
        self.dispatch(now, fx);
        Ok(())
    }

    pub fn agent_message(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        text: &str,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        rules::check_message(text)?;
        let conversation = self.open_conversation(id)?;
        if !self.participants(id).contains(agent) {
            return Err(error(
                ErrorCode::InvalidState,
                "You do not hold this conversation.",
            ));
        }
        if let Some(reason) = &conversation.record.interrupted {
            return Err(interrupted(reason));
        }
        if !matches!(conversation.record.status, Status::Held { .. }) {
            return Err(error(
                ErrorCode::InvalidState,
                "This conversation has ended; choose a wrap-up reason.",
            ));
        }
        if conversation.record.channel == Channel::Facebook {
            self.check_messenger_window(id, now)?;
        }
        let name = self.agents[agent].summary.name.clone();
        self.append(
            id,
            Sender::Agent {
                agent: agent.clone(),
                name,
            },
            text,
            now,
            fx,
        );
        Ok(())
    }

    /// Messenger delivers a human agent's reply up to 7 days after the customer's last message.
    fn check_messenger_window(&self, id: &ConversationId, now: Millis) -> Result {
        let since = self.since_customer_wrote(id, now).unwrap_or(0);
        if since <= HUMAN_AGENT_REPLY_WINDOW {
            return Ok(());
        }
        Err(error(
            ErrorCode::InvalidState,
            format!(
                "Messenger only delivers replies within 7 days of the customer's last message, \
                 and it has been {} days; nothing was sent.",
                since / DAY
            ),
        ))
    }

    /// The agent ends a conversation (or wraps up one the customer ended).
    pub fn end(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        wrap_up: &str,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.check_wrap_up(wrap_up)?;
        if let Some(holder) = self
            .agents
            .get_mut(agent)
            .filter(|a| a.wrap_ups.contains(id))
        {
            // Wrapping up a conversation transferred away: it goes on elsewhere.
            holder.wrap_ups.remove(id);
            fx.agent(
                agent,
                AgentEvent::Closed {
                    conversation: id.clone(),
                },
            );
            return Ok(());
        }
        let conversation = self.held_by(agent, id)?;
        let ended_by = match conversation.record.status {
            Status::WrapUp { ended_by, .. } => ended_by,
            _ => {
                self.tell_customer(id, CustomerEvent::Ended { by: EndedBy::Agent }, fx);
                EndedBy::Agent
            }
        };
        self.close(id, ended_by, Some(wrap_up.to_owned()), now, fx);
        self.dispatch(now, fx);
        Ok(())
    }

    /// The name of a queue in the configuration, or why there is none.
    fn configured_queue_name(&self, queue: &QueueId) -> Result<String> {
        self.config
            .queue(queue)
            .map(|configured| configured.name.clone())
            .ok_or_else(|| {
                error(
                    ErrorCode::NotFound,
                    format!("There is no queue \"{queue}\"."),
                )
            })
    }

    /// Transfers a held conversation to a queue, with its history: it waits there at the head,
    /// and this agent chooses a wrap-up reason (SPEC §4).
    pub fn transfer_to_queue(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        queue: &QueueId,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        let target = self.servable_queue_name(queue)?;
        self.check_active(agent, id)?;
        let name = &self.agents[agent].summary.name;
        let line = format!("{name} transferred the conversation to {target}");
        self.hand_to_queue(agent, id, queue, target, &line, now, fx);
        Ok(())
    }

    /// Escalates a conversation to an escalation queue, with the reason for whoever takes it.
    pub fn escalate(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        queue: &QueueId,
        reason: &str,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        let target = self.servable_queue_name(queue)?;
        if !self.config.queue(queue).is_some_and(|q| q.escalation) {
            return Err(error(
                ErrorCode::InvalidInput,
                format!("{target} is not an escalation queue."),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_ESCALATION_REASON_CHARS {
            return Err(error(
                ErrorCode::InvalidInput,
                format!(
                    "Give the reason for escalating in 1 to {MAX_ESCALATION_REASON_CHARS} characters."
                ),
            ));
        }
        self.check_active(agent, id)?;
        let name = &self.agents[agent].summary.name;
        let line = format!("{name} escalated the conversation to {target}: {reason}");
        let record = &mut self.conversations.get_mut(id).expect("active").record;
        record.escalation = Some(Escalation {
            reason: reason.to_owned(),
            from_bot: false,
        });
        self.hand_to_queue(agent, id, queue, target, &line, now, fx);
        Ok(())
    }

    /// The name of a queue that can take conversations, or why it cannot.
    fn servable_queue_name(&self, queue: &QueueId) -> Result<String> {
        let name = self.configured_queue_name(queue)?;
        if self.removed.contains(queue) {
            return Err(error(
                ErrorCode::NotFound,
                format!("The queue \"{name}\" was removed."),
            ));
        }
        Ok(name)
    }

    /// The holder gives a conversation to the head of `queue`, and wraps up their part.
    #[allow(clippy::too_many_arguments)]
    fn hand_to_queue(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        queue: &QueueId,
        target: String,
        line: &str,
        now: Millis,
        fx: &mut Effects,
    ) {
        self.append(id, Sender::System, line, now, fx);
        let holder = self.agents.get_mut(agent).expect("holds it");
        holder.held.remove(id);
        holder.wrap_ups.insert(id.clone());
        holder.idle_since = now;
        let state = InteractionState::Transferred { to: target };
        fx.state(agent, id, state);
        let conversation = self.conversations.get_mut(id).expect("held");
        conversation.record.queue = queue.clone();
        conversation.rejected_by.clear();
        conversation.told_position = None;
        self.set_status(id, Status::Waiting { since: now }, fx);
        self.queues
            .entry(queue.clone())
            .or_default()
            .push_front(id.clone());
        self.dispatch(now, fx);
    }

    pub fn remove_queue(
        &mut self,
        queue: &QueueId,
        now: Millis,
        fx: &mut Effects,
    ) -> Result<(usize, usize)> {
        if self.removed.contains(queue) {
            let message = format!("The queue \"{queue}\" was already removed.");
            return Err(error(ErrorCode::NotFound, message));
        }
        let name = self.configured_queue_name(queue)?;
        let reason = format!("the queue {name} was deleted");
        let affected: Vec<ConversationId> = self
            .conversations
            .iter()
            .filter(|(_, c)| &c.record.queue == queue)
            .map(|(id, _)| id.clone())
            .collect();
        let (mut ended, mut interrupted) = (0, 0);
        for id in affected {
            if self.conversations[&id].offer.is_some() {
                self.withdraw_offer(&id, WithdrawReason::Interrupted, now, fx);
            }
            match self.conversations[&id].record.status.clone() {
                Status::Waiting { .. } | Status::Parked { .. } => {
                    self.remove_from_queue(&id);
                    let by_system = CustomerEvent::Ended {
                        by: EndedBy::System,
                    };
                    self.tell_customer(&id, by_system, fx);
                    self.close(&id, EndedBy::System, None, now, fx);
                    ended += 1;
                }
                Status::Held { .. } => {
                    let record = &mut self.conversations.get_mut(&id).expect("open").record;
                    record.interrupted = Some(reason.clone());
                    fx.touch(record);
                    let state = InteractionState::Interrupted {
                        reason: reason.clone(),
                    };
                    for agent in self.participants(&id) {
                        fx.state(&agent, &id, state.clone());
                    }
                    let by_system = CustomerEvent::Ended {
                        by: EndedBy::System,
                    };
                    self.tell_customer(&id, by_system, fx);
                    interrupted += 1;
                }
                // Already ended: only the wrap-up is left, which needs no queue.
                Status::WrapUp { .. } | Status::Closed { .. } => {}
            }
        }
        self.queues.remove(queue);
        self.removed.insert(queue.clone());
        self.dispatch(now, fx);
        Ok((ended, interrupted))
    }

    // --- Time -----------------------------------------------------------------------------------

    /// Applies what time decides: offers not answered by their expiry are withdrawn and their
    /// agents put in RONA; agents disconnected past the grace period go Offline and their
    /// conversations go back to their queues.
    pub fn tick(&mut self, now: Millis, fx: &mut Effects) {
        let expired: Vec<ConversationId> = self
            .conversations
            .iter()
            .filter(|(_, c)| {
                c.offer
                    .as_ref()
                    .is_some_and(|offer| offer.expires_at <= now)
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            let agent = self.conversations[&id]
                .offer
                .as_ref()
                .expect("filtered")
                .agent
                .clone();
            self.withdraw_offer(&id, WithdrawReason::Timeout, now, fx);
            self.change_presence(&agent, Presence::Rona, now, fx);
        }
        let grace = u64::from(self.config.server.presence_grace_seconds) * 1000;
        let gone: Vec<AgentId> = self
            .agents
            .iter()
            .filter(|(_, a)| {
                a.disconnected_at.is_some_and(|at| at + grace <= now)
                    && a.presence != Presence::Offline
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in gone {
            self.sign_out_lost_agent(&id, now, fx);
        }
        self.dispatch(now, fx);
    }

    fn sign_out_lost_agent(&mut self, id: &AgentId, now: Millis, fx: &mut Effects) {
        let agent = &self.agents[id];
        if let Some(conversation) = agent.offer.clone() {
            self.withdraw_offer(&conversation, WithdrawReason::Interrupted, now, fx);
        }
        // Conversations joined as a guest are simply left.
        let guesting: Vec<ConversationId> = self.agents[id]
            .held
            .iter()
            .filter(|c| self.holder(c) != Some(id))
            .cloned()
            .collect();
        for conversation in guesting {
            self.leave_conference(id, &conversation, now, fx);
        }
        // A handover this agent started is called off; a conference passes to a guest.
        let hosting: Vec<ConversationId> = self.agents[id].held.iter().cloned().collect();
        for conversation in &hosting {
            if self.conversations[conversation].offer.is_some() {
                self.withdraw_offer(conversation, WithdrawReason::Interrupted, now, fx);
            }
            if !self.conversations[conversation]
                .record
                .conference
                .is_empty()
            {
                self.leave_conference(id, conversation, now, fx);
            }
        }
        // Live conversations go back to the head of their queue, with their history, for another
        // agent; those the customer ended only wait for the wrap-up.
        let live: Vec<ConversationId> = self.agents[id]
            .held
            .iter()
            .filter(|c| matches!(self.conversations[*c].record.status, Status::Held { .. }))
            .cloned()
            .collect();
        for conversation in live {
            self.agents
                .get_mut(id)
                .expect("known")
                .held
                .remove(&conversation);
            self.set_status(&conversation, Status::Waiting { since: now }, fx);
            fx.agent(
                id,
                AgentEvent::Closed {
                    conversation: conversation.clone(),
                },
            );
            let queue = self.conversations[&conversation].record.queue.clone();
            self.queues
                .entry(queue)
                .or_default()
                .push_front(conversation);
        }
        self.change_presence(id, Presence::Offline, now, fx);
    }

    // --- The engine -----------------------------------------------------------------------------

    /// Offers waiting conversations to free agents: the longest idle agent first, each the
    /// longest-waiting conversation of the queues they serve that they have not rejected.
    fn dispatch(&mut self, now: Millis, fx: &mut Effects) {
        self.offer_reserved(now, fx);
        let mut free: Vec<(Millis, AgentId)> = self
            .agents
            .iter()
            .filter(|(_, agent)| agent.can_take_offer())
            .map(|(id, agent)| (agent.idle_since, id.clone()))
            .collect();
        if free.is_empty() {
            self.tell_positions(fx);
            return;
        }
        free.sort();
        for (_, agent_id) in free {
            let agent = &self.agents[&agent_id];
            let mut best: Option<(Millis, QueueId, usize)> = None;
            for queue in &agent.queues {
                let Some(waiting) = self.queues.get(queue) else {
                    continue;
                };
                let candidate = waiting
                    .iter()
                    .position(|id| !self.conversations[id].rejected_by.contains(&agent_id));
                if let Some(index) = candidate {
                    let since = self.conversations[&waiting[index]]
                        .record
                        .started_at_waiting();
                    if best
                        .as_ref()
                        .is_none_or(|(best_since, ..)| since < *best_since)
                    {
                        best = Some((since, queue.clone(), index));
                    }
                }
            }
            if let Some((_, queue, index)) = best {
                let id = self
                    .queues
                    .get_mut(&queue)
                    .expect("found")
                    .remove(index)
                    .expect("found");
                self.make_offer(&agent_id, &id, OfferKind::Queue, now, fx);
            }
        }
        self.tell_positions(fx);
    }

    fn make_offer(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        kind: OfferKind,
        now: Millis,
        fx: &mut Effects,
    ) {
        let channel = self.conversations[id].record.channel;
        let timeout = self.config.workstream(channel).offer_timeout();
        let expires_at = now + timeout.as_millis() as Millis;
        let conversation = self.conversations.get_mut(id).expect("waiting");
        conversation.offer = Some(PendingOffer {
            agent: agent.clone(),
            expires_at,
            kind,
        });
        conversation.told_position = None;
        self.agents.get_mut(agent).expect("free").offer = Some(id.clone());
        fx.agent(
            agent,
            AgentEvent::Offer {
                offer: self.offer_for(id),
            },
        );
    }

    /// Takes an offer back: the conversation returns to the head of its queue.
    fn withdraw_offer(
        &mut self,
        id: &ConversationId,
        reason: WithdrawReason,
        _now: Millis,
        fx: &mut Effects,
    ) {
        let conversation = self.conversations.get_mut(id).expect("offered");
        let Some(offer) = conversation.offer.take() else {
            return;
        };
        if reason == WithdrawReason::Rejected && offer.kind == OfferKind::Queue {
            conversation.rejected_by.insert(offer.agent.clone());
        }
        let queue = conversation.record.queue.clone();
        if let Some(agent) = self.agents.get_mut(&offer.agent) {
            agent.offer = None;
        }
        fx.agent(
            &offer.agent,
            AgentEvent::OfferWithdrawn {
                conversation: id.clone(),
                reason,
            },
        );
        // A returning customer the agent did not take goes to whoever is free.
        self.release_reserved(id, fx);
        match offer.kind {
            OfferKind::Queue if reason != WithdrawReason::CustomerLeft => {
                self.queues.entry(queue).or_default().push_front(id.clone());
            }
            OfferKind::Queue => {}
            // A handover not taken: the conversation stays as it was with its holder.
            OfferKind::Transfer { from: holder } | OfferKind::Conference { host: holder } => {
                self.handover_declined(&holder, id, &offer.agent, fx);
            }
        }
    }

    /// Tells waiting customers their new queue position, when it changed.
    fn tell_positions(&mut self, fx: &mut Effects) {
        for waiting in self.queues.values() {
            for (index, id) in waiting.iter().enumerate() {
                let position = index as u32 + 1;
                let conversation = self.conversations.get_mut(id).expect("queued");
                // Only the live chat widget shows a queue position.
                if conversation.record.channel == Channel::Chat
                    && !conversation.record.persistent
                    && conversation.told_position != Some(position)
                {
                    conversation.told_position = Some(position);
                    let estimated_wait_seconds =
                        (u64::from(position) * self.average_wait / 1000) as u32;
                    fx.customer(
                        id,
                        CustomerEvent::Queued {
                            position,
                            estimated_wait_seconds,
                        },
                    );
                }
            }
        }
    }

    fn append(
        &mut self,
        id: &ConversationId,
        from: Sender,
        text: &str,
        now: Millis,
        fx: &mut Effects,
    ) {
        self.append_with(id, from, text, Vec::new(), now, fx);
    }

    /// Adds a message to the thread, for its agents and its customer.
    fn append_with(
        &mut self,
        id: &ConversationId,
        from: Sender,
        text: &str,
        attachments: Vec<Attachment>,
        now: Millis,
        fx: &mut Effects,
    ) {
        let conversation = self.conversations.get_mut(id).expect("open");
        let message = ChatMessage {
            id: conversation.record.next_message,
            conversation: id.clone(),
            from,
            text: text.to_owned(),
            sent_at: now,
            attachments,
        };
        // The counter is not persisted per message: at load it is one past the last message.
        conversation.record.next_message += 1;
        conversation.history.push(message.clone());
        fx.messages.push(message.clone());
        for agent in self.participants(id) {
            fx.agent(
                &agent,
                AgentEvent::Message {
                    message: message.clone(),
                },
            );
        }
        let record = &self.conversations[id].record;
        if record.with_bot && matches!(message.from, Sender::Customer { .. }) {
            let bot = self.config.workstream(record.channel).bot.clone();
            fx.errand(Errand::Bot(BotTurn {
                conversation: id.clone(),
                text: message.text.clone(),
                bot: bot.unwrap_or_default(),
            }));
        }
        match (&record.address, &message.from) {
            // A reply to an SMS or Messenger customer leaves through the provider.
            (Some(address), Sender::Agent { .. } | Sender::Bot { .. }) => {
                fx.errand(Errand::Reply(Outbound {
                    conversation: id.clone(),
                    message: message.id,
                    channel: record.channel,
                    address: address.clone(),
                    text: message.text,
                    human_agent: self
                        .since_customer_wrote(id, now)
                        .is_some_and(|since| since > STANDARD_REPLY_WINDOW),
                }))
            }
            (Some(_), _) => {}
            // System lines record the conversation for agents; the widget words the same facts
            // itself, from the customer's events (`agent_joined`, `ended`).
            (None, Sender::System) => {}
            (None, _) => fx.customer(id, CustomerEvent::Message { message }),
        }
    }

    /// How long ago the customer's last message was.
    fn since_customer_wrote(&self, id: &ConversationId, now: Millis) -> Option<Millis> {
        self.conversations[id]
            .history
            .iter()
            .rev()
            .find(|message| matches!(message.from, Sender::Customer { .. }))
            .map(|message| now.saturating_sub(message.sent_at))
    }

    /// Tells the customer's widget, if the conversation has one: SMS and Messenger customers
    /// only get the agents' replies.
    fn tell_customer(&self, id: &ConversationId, event: CustomerEvent, fx: &mut Effects) {
        if self
            .conversations
            .get(id)
            .is_some_and(|c| c.record.channel == Channel::Chat)
        {
            fx.customer(id, event);
        }
    }

    /// The courier could not deliver an agent's reply: the agents see why, in the thread.
    pub fn delivery_failed(
        &mut self,
        id: &ConversationId,
        message: u64,
        reason: &str,
        now: Millis,
        fx: &mut Effects,
    ) {
        let Some(conversation) = self.conversations.get(id) else {
            tracing::warn!(%id, message, reason, "a reply to an ended conversation was not delivered");
            return;
        };
        let channel = match conversation.record.channel {
            Channel::Sms => "SMS",
            Channel::Facebook => "Messenger",
            Channel::Chat => "chat",
        };
        let quoted = conversation
            .history
            .iter()
            .find(|m| m.id == message)
            .map(|m| preview(&m.text))
            .unwrap_or_default();
        let line = format!("Not delivered by {channel}: “{quoted}” ({reason})");
        self.append(id, Sender::System, &line, now, fx);
    }

    /// Ends a conversation for everyone in it.
    fn close(
        &mut self,
        id: &ConversationId,
        ended_by: EndedBy,
        wrap_up: Option<String>,
        now: Millis,
        fx: &mut Effects,
    ) {
        // A handover still pending has nothing left to hand over.
        if self.conversations[id].offer.is_some() {
            self.withdraw_offer(id, WithdrawReason::CustomerLeft, now, fx);
        }
        for agent in self.participants(id) {
            let participant = self.agents.get_mut(&agent).expect("participant");
            participant.held.remove(id);
            participant.idle_since = now;
            fx.agent(
                &agent,
                AgentEvent::Closed {
                    conversation: id.clone(),
                },
            );
        }
        self.set_status(
            id,
            Status::Closed {
                ended_by,
                wrap_up,
                closed_at: now,
            },
            fx,
        );
        self.reserved.remove(id);
        self.conversations.remove(id);
    }

    fn set_status(&mut self, id: &ConversationId, status: Status, fx: &mut Effects) {
        let record = &mut self.conversations.get_mut(id).expect("open").record;
        record.status = status;
        fx.touch(record);
    }

    fn remove_from_queue(&mut self, id: &ConversationId) {
        for waiting in self.queues.values_mut() {
            waiting.retain(|queued| queued != id);
        }
    }

    /// Whether `agent` holds conversation `id`, active: not ended, not interrupted.
    fn check_active(&self, agent: &AgentId, id: &ConversationId) -> Result {
        let conversation = self.held_by(agent, id)?;
        if let Some(reason) = &conversation.record.interrupted {
            return Err(interrupted(reason));
        }
        if !matches!(conversation.record.status, Status::Held { .. }) {
            return Err(error(
                ErrorCode::InvalidState,
                "This conversation has ended; choose a wrap-up reason.",
            ));
        }
        Ok(())
    }

    /// Whether `wrap_up` is one of the configured wrap-up reasons.
    fn check_wrap_up(&self, wrap_up: &str) -> Result {
        if self
            .config
            .wrap_up_reasons
            .iter()
            .any(|reason| reason == wrap_up)
        {
            return Ok(());
        }
        Err(error(
            ErrorCode::UnknownReason,
            format!(
                "\"{wrap_up}\" is not a wrap-up reason; choose one of: {}.",
                self.config.wrap_up_reasons.join(", ")
            ),
        ))
    }

    fn open_conversation(&self, id: &ConversationId) -> Result<&Conversation> {
        self.conversations
            .get(id)
            .ok_or_else(|| error(ErrorCode::NotFound, "This conversation is over."))
    }

    fn held_by(&self, agent: &AgentId, id: &ConversationId) -> Result<&Conversation> {
        let conversation = self.open_conversation(id)?;
        if self.holder(id) != Some(agent) {
            return Err(error(
                ErrorCode::InvalidState,
                "You do not hold this conversation.",
            ));
        }
        Ok(conversation)
    }

    fn check_offered_to(&self, agent: &AgentId, id: &ConversationId) -> Result {
        let offered = self
            .conversations
            .get(id)
            .and_then(|c| c.offer.as_ref())
            .is_some_and(|offer| &offer.agent == agent);
        if offered {
            Ok(())
        } else {
            Err(error(
                ErrorCode::InvalidState,
                "This request is no longer offered to you.",
            ))
        }
    }

    fn offer_for(&self, id: &ConversationId) -> Offer {
        let conversation = &self.conversations[id];
        let record = &conversation.record;
        Offer {
            conversation: id.clone(),
            channel: record.channel,
            scenario: match (
                conversation.offer.as_ref().map(|offer| &offer.kind),
                &record.escalation,
                record.channel,
            ) {
                (Some(OfferKind::Transfer { .. }), ..) => Scenario::Transferred,
                (Some(OfferKind::Conference { .. }), ..) => Scenario::Conference,
                (_, Some(Escalation { from_bot: true, .. }), _) => Scenario::EscalatedFromBot,
                (_, Some(_), _) => Scenario::Escalated,
                _ if record.returning.is_some() => Scenario::CustomerReturned,
                (_, None, Channel::Chat) if record.proactive => Scenario::ProactiveAccepted,
                (_, None, Channel::Chat) => Scenario::IncomingChat,
                (_, None, Channel::Sms) => Scenario::IncomingSms,
                (_, None, Channel::Facebook) => Scenario::IncomingFacebook,
            },
            customer_name: record.customer.name.clone(),
            // An escalation's reason says more than the customer's first words.
            comment: record
                .escalation
                .as_ref()
                .map_or_else(|| record.comment.clone(), |e| e.reason.clone()),
            queue: self.queue_summary(&record.queue),
            waiting_since: record.started_at_waiting(),
            expires_at: conversation
                .offer
                .as_ref()
                .map_or(0, |offer| offer.expires_at),
            proactive: record.proactive,
            context: record
                .context
                .iter()
                .filter(|variable| variable.value.displayable)
                .cloned()
                .collect(),
        }
    }

    fn snapshot(&self, id: &ConversationId) -> ConversationSnapshot {
        let conversation = &self.conversations[id];
        let record = &conversation.record;
        let (state, accepted_at) = match &record.status {
            Status::Held { accepted_at, .. } if record.interrupted.is_some() => {
                let reason = record.interrupted.clone().unwrap_or_default();
                (InteractionState::Interrupted { reason }, Some(*accepted_at))
            }
            Status::Held { accepted_at, .. } if !record.conference.is_empty() => (
                InteractionState::Conference {
                    agents: self.participants(id),
                },
                Some(*accepted_at),
            ),
            Status::Held { accepted_at, .. } => (InteractionState::Active, Some(*accepted_at)),
            Status::WrapUp {
                accepted_at,
                ended_by,
                ..
            } => (
                InteractionState::WrapUp {
                    ended_by: *ended_by,
                },
                Some(*accepted_at),
            ),
            _ => (InteractionState::Active, None),
        };
        ConversationSnapshot {
            id: id.clone(),
            channel: record.channel,
            queue: self.queue_summary(&record.queue),
            customer: record.customer.clone(),
            state,
            proactive: record.proactive,
            persistent: record.persistent,
            started_at: record.started_at,
            accepted_at,
            history: conversation.history.clone(),
            context: record.context.clone(),
            contact: conversation.contact.clone().map(Box::new),
        }
    }

    pub fn queue_summary(&self, id: &QueueId) -> QueueSummary {
        let queue = self.config.queue(id);
        QueueSummary {
            id: id.clone(),
            name: queue.map_or_else(|| id.0.clone(), |queue| queue.name.clone()),
            escalation: queue.is_some_and(|queue| queue.escalation),
        }
    }
}

impl ConversationRecord {
    /// A conversation just started, waiting in `queue`, with nothing more known about it.
    fn waiting(
        id: ConversationId,
        channel: Channel,
        queue: QueueId,
        customer: Customer,
        first_message: &str,
        now: Millis,
    ) -> ConversationRecord {
        ConversationRecord {
            id,
            channel,
            queue,
            customer,
            context: Vec::new(),
            proactive: false,
            started_at: now,
            comment: first_message.to_owned(),
            status: Status::Waiting { since: now },
            conference: Vec::new(),
            interrupted: None,
            next_message: 1,
            contact: None,
            address: None,
            receipts: Default::default(),
            escalation: None,
            with_bot: false,
            persistent: false,
            customer_id: None,
            returning: None,
        }
    }

    /// Since when the customer has been waiting (their start, for a conversation never held).
    fn started_at_waiting(&self) -> Millis {
        match self.status {
            Status::Waiting { since } => since,
            _ => self.started_at,
        }
    }
}

#[cfg(test)]
mod tests;
