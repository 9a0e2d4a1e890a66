//! An agent's work on a conversation (SPEC §4): accept, reject, reply, end with a wrap-up
//! reason, and closing it for everyone.

use switchboard_protocol::agent::{AgentEvent, WithdrawReason};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::{
    AgentId, Attachment, Channel, ConversationId, EndedBy, ErrorCode, Millis, Sender,
};
use switchboard_protocol::{rules, template};

use super::Status;
use super::checks::interrupted;
use super::{Effects, FactKind, OfferKind, Result, Router, error};

impl Router {
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
        conversation.record.offered_to = None;
        conversation.record.handover_note = None;
        fx.touch(&conversation.record);
        if offer.kind != OfferKind::Queue {
            self.accept_handover(agent, id, offer.kind, now, fx);
            return Ok(());
        }
        let Status::Waiting { since } = conversation.record.status else {
            unreachable!("only waiting conversations are offered")
        };
        let waited = now.saturating_sub(since);
        self.average_wait = (self.average_wait * 4 + waited) / 5;
        let accepted = FactKind::Accepted {
            waited: Some(waited),
        };
        self.record_fact(id, Some(agent), accepted, now, fx);
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

    /// An internal note in the thread: any agent who takes part may leave one, during the
    /// conversation or its wrap-up; the customer never gets it.
    pub fn agent_note(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        text: &str,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        rules::check_message(text)?;
        self.check_may_read(agent, id)?;
        self.leave_note(agent, id, text, now, fx);
        Ok(())
    }

    pub(super) fn leave_note(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        text: &str,
        now: Millis,
        fx: &mut Effects,
    ) {
        let name = self.agents[agent].summary.name.clone();
        let from = Sender::Note {
            agent: agent.clone(),
            name,
        };
        self.append(id, from, text, now, fx);
    }

    pub fn agent_message(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        text: &str,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.agent_message_with_files(agent, id, text, Vec::new(), now, fx)
    }

    /// A message with files uploaded into the conversation (its text may then be empty).
    pub fn agent_message_with_files(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        text: &str,
        files: Vec<Attachment>,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        template::check_with_files(text, files.len())?;
        let only_files = !files.is_empty() && text.trim().is_empty();
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
        if !files.is_empty()
            && !self
                .config
                .file_channels()
                .contains(&conversation.record.channel)
        {
            return Err(error(
                ErrorCode::InvalidState,
                "Files cannot be sent on this customer's channel: the server has no public address for the provider to fetch them from.",
            ));
        }
        if conversation.record.channel == Channel::Facebook {
            self.check_messenger_window(id, now)?;
        }
        let text = if only_files {
            std::borrow::Cow::Borrowed(text)
        } else {
            self.fill_parameters(agent, id, text)?
        };
        let name = self.agents[agent].summary.name.clone();
        self.append_with(
            id,
            Sender::Agent {
                agent: agent.clone(),
                name,
            },
            &text,
            files,
            now,
            fx,
        );
        Ok(())
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
            // Wrapping up a conversation transferred away: it goes on elsewhere (if it has
            // ended meanwhile, there is no open conversation left to count the reason with).
            holder.wrap_ups.remove(id);
            if self.conversations.contains_key(id) {
                let wrapped = FactKind::WrappedUp {
                    wrap_up: wrap_up.to_owned(),
                };
                self.record_fact(id, Some(agent), wrapped, now, fx);
            }
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

    /// Ends a conversation for everyone in it.
    pub(super) fn close(
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
        let ended = match self.conversations[id].record.status.clone() {
            Status::Waiting { since } if ended_by != EndedBy::System => Some((
                None,
                FactKind::Abandoned {
                    waited: now.saturating_sub(since),
                },
            )),
            Status::Waiting { .. } => None,
            Status::Held { agent, accepted_at }
            | Status::WrapUp {
                agent, accepted_at, ..
            } => {
                let handled = Some(now.saturating_sub(accepted_at));
                let wrap_up = wrap_up.clone();
                Some((Some(agent), FactKind::Ended { wrap_up, handled }))
            }
            Status::Parked { agent, .. } => {
                let wrap_up = wrap_up.clone();
                let handled = None;
                Some((Some(agent), FactKind::Ended { wrap_up, handled }))
            }
            Status::Closed { .. } => None,
        };
        let holder = ended.as_ref().and_then(|(agent, _)| agent.clone());
        if let Some((agent, kind)) = ended {
            self.record_fact(id, agent.as_ref(), kind, now, fx);
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
        if holder.is_some() {
            self.ask_sms_survey(id, ended_by, now, fx);
        }
        self.release_monitors(id, fx);
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
        let closed = self.conversations.remove(id).expect("open").record;
        if let Some(agent) = holder {
            self.await_survey(&closed, agent, ended_by, now);
        }
        fx.closed.push(id.clone());
    }

    /// How long `id`'s holder has held it (0 if nobody holds it).
    pub(super) fn held_for(&self, id: &ConversationId, now: Millis) -> Millis {
        match self.conversations[id].record.status {
            Status::Held { accepted_at, .. } => now.saturating_sub(accepted_at),
            _ => 0,
        }
    }

    pub(super) fn set_status(&mut self, id: &ConversationId, status: Status, fx: &mut Effects) {
        let conversation = self.conversations.get_mut(id).expect("open");
        let was_waiting = matches!(conversation.record.status, Status::Waiting { .. });
        let waiting = matches!(status, Status::Waiting { .. });
        conversation.record.status = status;
        fx.touch(&conversation.record);
        if was_waiting != waiting
            && let Some(origin) = conversation.origin.clone()
        {
            self.count_waiting(&origin, waiting);
        }
    }
}
