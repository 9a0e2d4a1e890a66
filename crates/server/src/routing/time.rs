//! What time decides (SPEC §1): offers expiring into RONA, agents lost past the grace period.

use switchboard_protocol::agent::{AgentEvent, WithdrawReason};
use switchboard_protocol::{AgentId, ConversationId, Millis, Presence};

use super::Status;
use super::{Effects, Router};

impl Router {
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
}
