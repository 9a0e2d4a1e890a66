//! What time decides (SPEC §1): offers expiring into RONA, agents lost past the grace period,
//! live chats abandoned by their customer.

use switchboard_protocol::agent::{AgentEvent, WithdrawReason};
use switchboard_protocol::{AgentId, ConversationId, Millis, Presence};

use super::{Agent, Effects, Router, Status};

/// Something time will decide, due at a moment: kept in order so that a tick looks only at what
/// is due, however many conversations and agents there are.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Deadline {
    /// The conversation's offer expires (unless it was answered, or replaced, by then).
    Offer(ConversationId),
    /// A live chat's customer has been away long enough to be gone (unless they came back, or
    /// an agent took the chat).
    Abandoned(ConversationId),
    /// The agent's grace period ends (unless they came back).
    Grace(AgentId),
    /// An ended chat may no longer be rated.
    Survey(ConversationId),
}

impl Router {
    /// Applies what time decides: offers not answered by their expiry are withdrawn and their
    /// agents put in RONA; agents disconnected past the grace period go Offline and their
    /// conversations go back to their queues.
    pub fn tick(&mut self, now: Millis, fx: &mut Effects) {
        for (agent, id) in std::mem::take(&mut self.stale_offers) {
            self.withdraw_stale_offer(&agent, &id, fx);
        }
        let mut expired = Vec::new();
        let mut gone = Vec::new();
        let mut abandoned = Vec::new();
        while let Some(first) = self.deadlines.first() {
            if first.0 > now {
                break;
            }
            match self.deadlines.pop_first().expect("there is a first").1 {
                Deadline::Offer(id) => expired.push(id),
                Deadline::Grace(id) => gone.push(id),
                Deadline::Abandoned(id) => abandoned.push(id),
                Deadline::Survey(id) => self.survey_closed(&id, now),
            }
        }
        // A deadline may have been met or replaced since it was set: each is checked again.
        for id in expired {
            let offer = self.conversations.get(&id).and_then(|c| c.offer.as_ref());
            let Some(agent) = offer
                .filter(|o| o.expires_at <= now)
                .map(|o| o.agent.clone())
            else {
                continue;
            };
            self.withdraw_offer(&id, WithdrawReason::Timeout, now, fx);
            self.change_presence(&agent, Presence::Rona, now, fx);
        }
        for id in abandoned {
            self.end_if_abandoned(&id, now, fx);
        }
        for id in gone {
            if self
                .agents
                .get(&id)
                .is_some_and(|a| self.grace_ended(a, now))
            {
                self.sign_out_lost_agent(&id, now, fx);
            }
        }
        self.dispatch(now, fx);
    }

    /// An offer pending when the server stopped is not restored: its agent's desktop is told it
    /// is withdrawn (not their doing: no RONA), a handover's holder that it was not taken, and
    /// a waiting conversation is offered again from its queue.
    fn withdraw_stale_offer(&mut self, agent: &AgentId, id: &ConversationId, fx: &mut Effects) {
        fx.agent(
            agent,
            AgentEvent::OfferWithdrawn {
                conversation: id.clone(),
                reason: WithdrawReason::Interrupted,
            },
        );
        let Some(conversation) = self.conversations.get_mut(id) else {
            return;
        };
        conversation.record.offered_to = None;
        fx.touch(&conversation.record);
        if let Status::Held { agent: holder, .. } = conversation.record.status.clone()
            && &holder != agent
        {
            self.handover_declined(&holder, id, agent, fx);
        }
    }

    fn grace_period(&self) -> Millis {
        Millis::from(self.config.server.presence_grace_seconds) * 1000
    }

    fn grace_ended(&self, agent: &Agent, now: Millis) -> bool {
        agent
            .disconnected_at
            .is_some_and(|at| at + self.grace_period() <= now)
            && agent.presence != Presence::Offline
    }

    /// The agent's connection is gone since `at`: their grace period runs from then.
    pub(super) fn start_grace(&mut self, id: &AgentId, at: Millis) {
        let ends = at + self.grace_period();
        self.deadlines.insert((ends, Deadline::Grace(id.clone())));
    }

    pub(super) fn sign_out_lost_agent(&mut self, id: &AgentId, now: Millis, fx: &mut Effects) {
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
}
