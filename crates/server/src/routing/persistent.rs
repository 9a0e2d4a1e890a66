//! Persistent chat (SPEC §6): reopening a signed-in customer's conversation, moving it to
//! waiting, and offering a returning customer to the agent who had them.

use switchboard_protocol::agent::AgentEvent;
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::{AgentId, Channel, ConversationId, ErrorCode, Millis, Presence, Sender};

use super::{Effects, OfferKind, Result, Router, error};
use super::{Returning, Status};
use crate::config::IfAgentOffline;

impl Router {
    /// The signed-in customer's open persistent conversation, if they have one.
    pub fn persistent_conversation(
        &self,
        widget: &str,
        customer_id: &str,
    ) -> Option<ConversationId> {
        self.conversations
            .values()
            .find(|c| c.record.is_persistent_for(widget, customer_id))
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
            .filter(|message| message.from.reaches_customer())
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
    pub(super) fn customer_returned(
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
    pub(super) fn offer_reserved(&mut self, now: Millis, fx: &mut Effects) {
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
    pub(super) fn release_reserved(&mut self, id: &ConversationId, fx: &mut Effects) {
        if self.reserved.remove(id) {
            let record = &mut self.conversations.get_mut(id).expect("open").record;
            record.returning = Some(Returning { agent: None });
            fx.touch(record);
        }
    }
}
