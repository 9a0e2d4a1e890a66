//! Queues (SPEC §2–4, §7): transfer and escalation to a queue, removing a queue, and the
//! positions waiting customers are told.

use switchboard_protocol::agent::{InteractionState, QueueSummary};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::rules::MAX_ESCALATION_REASON_CHARS;
use switchboard_protocol::{AgentId, Channel, ConversationId, ErrorCode, Millis, QueueId, Sender};

use super::ending::Ending;
use super::{Effects, FactKind, Result, Router, error};
use super::{Escalation, Status};

impl Router {
    pub fn queue_summaries(&self) -> Vec<QueueSummary> {
        self.config
            .queues
            .iter()
            .filter(|q| !self.removed.contains(&q.id))
            .map(|q| self.queue_summary(&q.id))
            .collect()
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

    /// Transfers a held conversation to a queue, with its history and the holder's note if they
    /// wrote one: it waits there at the head, and this agent chooses a wrap-up reason (SPEC §4).
    pub fn transfer_to_queue(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        queue: &QueueId,
        note: Option<&str>,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        let target = self.servable_queue_name(queue)?;
        self.check_active(agent, id)?;
        Self::check_handover_note(note)?;
        self.hand_over_note(agent, id, note, now, fx);
        let handled = self.held_for(id, now);
        self.record_fact(id, Some(agent), FactKind::Transferred { handled }, now, fx);
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
        self.hand_over_note(agent, id, None, now, fx);
        let handled = self.held_for(id, now);
        self.record_fact(id, Some(agent), FactKind::Escalated { handled }, now, fx);
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
    pub(super) fn servable_queue_name(&self, queue: &QueueId) -> Result<String> {
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
            match self.end_by_system(&id, &reason, now, fx) {
                Ending::Ended => ended += 1,
                Ending::Interrupted => interrupted += 1,
                Ending::AlreadyEnded => {}
            }
        }
        self.queues.remove(queue);
        self.removed.insert(queue.clone());
        self.dispatch(now, fx);
        Ok((ended, interrupted))
    }

    /// Tells waiting customers their new queue position, when it changed.
    pub(super) fn tell_positions(&mut self, fx: &mut Effects) {
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

    pub(super) fn remove_from_queue(&mut self, id: &ConversationId) {
        for waiting in self.queues.values_mut() {
            waiting.retain(|queued| queued != id);
        }
    }
}
