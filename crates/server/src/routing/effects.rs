//! What one routing step produced: events for clients and records to persist. The hub writes
//! them atomically, then delivers the events.

use std::collections::BTreeMap;

use switchboard_protocol::agent::{AgentEvent, InteractionState};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::{AgentId, ChatMessage, ConversationId, Millis, Presence};

use super::{ConversationRecord, Errand, Fact};

/// An event for one client's stream.
#[derive(Clone, Debug, PartialEq)]
pub enum Emit {
    Agent(AgentId, AgentEvent),
    Customer(ConversationId, CustomerEvent),
    /// Work for the courier: a reply for an SMS or Messenger customer, a message for the bot.
    Errand(Errand),
}

#[derive(Debug, Default)]
pub struct Effects {
    pub emits: Vec<Emit>,
    /// Conversations created, with the hash of the customer's resume token.
    pub created: Vec<(ConversationRecord, String)>,
    /// The latest record of each existing conversation this step changed.
    pub changed: BTreeMap<ConversationId, ConversationRecord>,
    pub messages: Vec<ChatMessage>,
    pub presences: Vec<(AgentId, Presence, Millis)>,
    /// Conversations whose customer was given a new resume token, with its hash.
    pub tokens: Vec<(ConversationId, String)>,
    /// Conversations closed: nothing is emitted for them any more.
    pub closed: Vec<ConversationId>,
    /// What happened, for the reports.
    pub facts: Vec<Fact>,
}

impl Effects {
    pub fn agent(&mut self, agent: &AgentId, event: AgentEvent) {
        self.emits.push(Emit::Agent(agent.clone(), event));
    }

    /// Tells `agent` the conversation's new interaction state.
    pub fn state(
        &mut self,
        agent: &AgentId,
        conversation: &ConversationId,
        state: InteractionState,
    ) {
        self.agent(
            agent,
            AgentEvent::State {
                conversation: conversation.clone(),
                state,
            },
        );
    }

    pub fn customer(&mut self, conversation: &ConversationId, event: CustomerEvent) {
        self.emits.push(Emit::Customer(conversation.clone(), event));
    }

    pub fn errand(&mut self, errand: Errand) {
        self.emits.push(Emit::Errand(errand));
    }

    /// Records that `record` changed: a conversation created in this same step is stored once,
    /// as it ends up.
    pub fn touch(&mut self, record: &ConversationRecord) {
        match self
            .created
            .iter_mut()
            .find(|(created, _)| created.id == record.id)
        {
            Some((created, _)) => *created = record.clone(),
            None => {
                self.changed.insert(record.id.clone(), record.clone());
            }
        }
    }
}
