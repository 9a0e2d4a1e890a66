//! Choosing who gets an offer (SPEC §1–2): the longest idle agent first, each the
//! longest-waiting conversation they may take; making and withdrawing offers.

use switchboard_protocol::agent::{AgentEvent, WithdrawReason};
use switchboard_protocol::{AgentId, ConversationId, Millis, QueueId};

use super::{Deadline, Effects, FactKind, OfferKind, PendingOffer, Router};

impl Router {
    /// Offers waiting conversations to free agents: the longest idle agent first, each the
    /// longest-waiting conversation of the queues they serve that they have not rejected.
    pub(super) fn dispatch(&mut self, now: Millis, fx: &mut Effects) {
        self.offer_reserved(now, fx);
        // One offer per round; the work is proportional to the agents only while conversations
        // wait, not on every step.
        while self.queues.values().any(|waiting| !waiting.is_empty()) {
            let Some((agent, queue, index)) = self.next_offer() else {
                break;
            };
            let id = self
                .queues
                .get_mut(&queue)
                .expect("found")
                .remove(index)
                .expect("found");
            self.make_offer(&agent, &id, OfferKind::Queue, now, fx);
        }
        self.tell_positions(fx);
    }

    /// The longest idle agent who can take a waiting conversation, with the queue and position
    /// of the one they get.
    fn next_offer(&mut self) -> Option<(AgentId, QueueId, usize)> {
        self.agents.refresh();
        self.agents.free().find_map(|agent| {
            let queues = &self.agents[agent].queues;
            let (queue, index) = self.longest_waiting_for(agent, queues)?;
            Some((agent.clone(), queue.clone(), index))
        })
    }

    /// The longest-waiting conversation of `queues` that `agent` has not rejected.
    fn longest_waiting_for<'a>(
        &self,
        agent: &AgentId,
        queues: &'a [QueueId],
    ) -> Option<(&'a QueueId, usize)> {
        let mut best: Option<(Millis, &QueueId, usize)> = None;
        for queue in queues {
            let Some(waiting) = self.queues.get(queue) else {
                continue;
            };
            let candidate = waiting
                .iter()
                .position(|id| !self.conversations[id].rejected_by.contains(agent));
            if let Some(index) = candidate {
                let since = self.conversations[&waiting[index]]
                    .record
                    .started_at_waiting();
                if best
                    .as_ref()
                    .is_none_or(|(best_since, ..)| since < *best_since)
                {
                    best = Some((since, queue, index));
                }
            }
        }
        best.map(|(_, queue, index)| (queue, index))
    }

    pub(super) fn make_offer(
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
        conversation.record.offered_to = Some(agent.clone());
        fx.touch(&conversation.record);
        self.agents.get_mut(agent).expect("free").offer = Some(id.clone());
        self.deadlines
            .insert((expires_at, Deadline::Offer(id.clone())));
        self.record_fact(id, Some(agent), FactKind::Offered, now, fx);
        fx.agent(
            agent,
            AgentEvent::Offer {
                offer: self.offer_for(id),
            },
        );
    }

    /// Takes an offer back: the conversation returns to the head of its queue.
    pub(super) fn withdraw_offer(
        &mut self,
        id: &ConversationId,
        reason: WithdrawReason,
        now: Millis,
        fx: &mut Effects,
    ) {
        let conversation = self.conversations.get_mut(id).expect("offered");
        let Some(offer) = conversation.offer.take() else {
            return;
        };
        let answered = match reason {
            WithdrawReason::Rejected => Some(FactKind::Rejected),
            WithdrawReason::Timeout => Some(FactKind::Rona),
            _ => None,
        };
        if let Some(kind) = answered {
            self.record_fact(id, Some(&offer.agent), kind, now, fx);
        }
        let conversation = self.conversations.get_mut(id).expect("offered");
        conversation.record.offered_to = None;
        fx.touch(&conversation.record);
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
}
