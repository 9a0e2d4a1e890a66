//! Handing a held conversation to another agent (SPEC §4): a transfer (offered to the agent;
//! not accepted in time, it is called off and stays with its holder) and a conference (another
//! agent joins; both see every message; either can leave with a wrap-up reason); and a waiting
//! conversation assigned straight to an agent by a supervisor.

use switchboard_protocol::agent::{AgentEvent, InteractionState, Scenario, WithdrawReason};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::rules;
use switchboard_protocol::{AgentId, ConversationId, ErrorCode, Millis, Presence, Sender};

use super::Status;
use super::{Effects, FactKind, OfferKind, Result, Router, error};

impl Router {
    /// A supervisor gives a waiting conversation straight to an agent (a work item): it is
    /// theirs at once, announced by a toast, whatever their load.
    pub fn assign(
        &mut self,
        id: &ConversationId,
        agent: &AgentId,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        let conversation = self.open_conversation(id)?;
        if !matches!(conversation.record.status, Status::Waiting { .. }) {
            return Err(error(
                ErrorCode::InvalidState,
                "Only a conversation waiting for an agent can be assigned.",
            ));
        }
        let Some(target) = self.agents.get(agent) else {
            return Err(error(ErrorCode::NotFound, "There is no such agent."));
        };
        if !target.connected || target.presence == Presence::Offline {
            let name = &target.summary.name;
            return Err(error(
                ErrorCode::InvalidState,
                format!("{name} is offline; assign the conversation to someone signed in."),
            ));
        }
        if self.conversations[id].offer.is_some() {
            self.withdraw_offer(id, WithdrawReason::Interrupted, now, fx);
        }
        self.give_waiting(agent, id, now, fx);
        fx.agent(
            agent,
            AgentEvent::Notice {
                conversation: id.clone(),
                scenario: Scenario::Assigned,
                text: "This conversation was assigned to you.".to_owned(),
            },
        );
        self.dispatch(now, fx);
        Ok(())
    }

    /// A transfer's note, checked like a message before anything changes.
    pub(super) fn check_handover_note(note: Option<&str>) -> Result {
        note.map_or(Ok(()), rules::check_message)
    }

    /// Whatever the last transfer's note was, the next offer shows `note`: it is left in the
    /// thread too, where it stays.
    pub(super) fn hand_over_note(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        note: Option<&str>,
        now: Millis,
        fx: &mut Effects,
    ) {
        let stored = note.map(|note| self.storable(note).into_owned());
        self.conversations
            .get_mut(id)
            .expect("open")
            .record
            .handover_note = stored;
        if let Some(note) = note {
            self.leave_note(agent, id, note, now, fx);
        }
    }

    /// Offers a held conversation to another agent, who must accept it within the offer
    /// timeout, with a note for them if the holder wrote one.
    pub fn transfer_to_agent(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        target: &AgentId,
        note: Option<&str>,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.check_handover(agent, id, target)?;
        if !self.conversations[id].record.conference.is_empty() {
            return Err(error(
                ErrorCode::InvalidState,
                "Leave the conference before transferring the conversation.",
            ));
        }
        Self::check_handover_note(note)?;
        self.hand_over_note(agent, id, note, now, fx);
        self.make_offer(
            target,
            id,
            OfferKind::Transfer {
                from: agent.clone(),
            },
            now,
            fx,
        );
        let state = InteractionState::TransferRequested {
            agent: target.clone(),
        };
        fx.state(agent, id, state);
        Ok(())
    }

    /// Invites another agent into a held conversation.
    pub fn conference_invite(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        target: &AgentId,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.check_handover(agent, id, target)?;
        if self.conversations[id].record.conference.contains(target) {
            return Err(error(
                ErrorCode::InvalidState,
                "That agent is already in the conference.",
            ));
        }
        self.hand_over_note(agent, id, None, now, fx);
        self.make_offer(
            target,
            id,
            OfferKind::Conference {
                host: agent.clone(),
            },
            now,
            fx,
        );
        let state = InteractionState::ConferenceRequested {
            agent: target.clone(),
        };
        fx.state(agent, id, state);
        Ok(())
    }

    /// Leaves a conference with a wrap-up reason; whoever stays goes on with the conversation.
    pub fn conference_exit(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        wrap_up: &str,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.check_wrap_up(wrap_up)?;
        let conversation = self.open_conversation(id)?;
        if conversation.record.conference.is_empty() || !self.participants(id).contains(agent) {
            return Err(error(
                ErrorCode::InvalidState,
                "You are not in a conference on this conversation.",
            ));
        }
        self.leave_conference(agent, id, now, fx);
        Ok(())
    }

    /// What every handover needs: the conversation held and active, nothing else pending, and a
    /// target who can take it now.
    fn check_handover(&self, agent: &AgentId, id: &ConversationId, target: &AgentId) -> Result {
        self.check_active(agent, id)?;
        if self.conversations[id].offer.is_some() {
            return Err(error(
                ErrorCode::InvalidState,
                "A transfer or an invitation is already pending.",
            ));
        }
        if target == agent {
            return Err(error(ErrorCode::InvalidState, "Choose another agent."));
        }
        let other = self
            .agents
            .get(target)
            .ok_or_else(|| error(ErrorCode::NotFound, "No such agent."))?;
        if !other.can_take_offer() {
            return Err(error(
                ErrorCode::InvalidState,
                format!("{} cannot take it now.", other.summary.name),
            ));
        }
        Ok(())
    }

    /// The target accepted a transfer or an invitation.
    pub(super) fn accept_handover(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        kind: OfferKind,
        now: Millis,
        fx: &mut Effects,
    ) {
        let taker = self.agents.get_mut(agent).expect("offered");
        taker.offer = None;
        taker.held.insert(id.clone());
        taker.idle_since = now;
        let name = taker.summary.name.clone();
        let accepted = FactKind::Accepted { waited: None };
        self.record_fact(id, Some(agent), accepted, now, fx);
        match kind {
            OfferKind::Transfer { from } => {
                let handled = self.held_for(id, now);
                let transferred = FactKind::Transferred { handled };
                self.record_fact(id, Some(&from), transferred, now, fx);
                let from_name = self.agents[&from].summary.name.clone();
                self.append(
                    id,
                    Sender::System,
                    &format!("{from_name} transferred the conversation to {name}"),
                    now,
                    fx,
                );
                let giver = self.agents.get_mut(&from).expect("holder");
                giver.held.remove(id);
                giver.wrap_ups.insert(id.clone());
                let state = InteractionState::Transferred { to: name.clone() };
                fx.state(&from, id, state);
                self.set_status(
                    id,
                    Status::Held {
                        agent: agent.clone(),
                        accepted_at: now,
                    },
                    fx,
                );
            }
            OfferKind::Conference { .. } => {
                let record = &mut self.conversations.get_mut(id).expect("held").record;
                record.conference.push(agent.clone());
                fx.touch(record);
                self.append(
                    id,
                    Sender::System,
                    &format!("{name} joined the conversation"),
                    now,
                    fx,
                );
                self.tell_conference_state(id, fx);
            }
            OfferKind::Queue => unreachable!("queue offers are accepted by `accept`"),
        }
        fx.agent(
            agent,
            AgentEvent::Snapshot {
                conversation: self.snapshot(id),
            },
        );
        self.tell_customer(id, CustomerEvent::AgentJoined { name }, fx);
    }

    /// A transfer or invitation was rejected, expired or called off: the holder goes on as before.
    pub(super) fn handover_declined(
        &mut self,
        holder: &AgentId,
        id: &ConversationId,
        target: &AgentId,
        fx: &mut Effects,
    ) {
        let target_name = self
            .agents
            .get(target)
            .map_or_else(|| target.0.clone(), |a| a.summary.name.clone());
        let text = format!("{target_name} did not join; the conversation stays with you.");
        fx.agent(
            holder,
            AgentEvent::Notice {
                conversation: id.clone(),
                scenario: Scenario::Conference,
                text,
            },
        );
        if self.holder(id) == Some(holder) {
            self.tell_conference_state(id, fx);
        }
    }

    /// `agent` leaves the conversation's conference; if they held it, the first guest takes it.
    pub(super) fn leave_conference(
        &mut self,
        agent: &AgentId,
        id: &ConversationId,
        now: Millis,
        fx: &mut Effects,
    ) {
        let name = self.agents[agent].summary.name.clone();
        let record = &mut self.conversations.get_mut(id).expect("open").record;
        if record.conference.contains(agent) {
            record.conference.retain(|guest| guest != agent);
        } else if let Status::Held { accepted_at, .. } = record.status {
            // The holder leaves: the first guest holds it from now on.
            let successor = record.conference.remove(0);
            record.status = Status::Held {
                agent: successor,
                accepted_at,
            };
        }
        fx.touch(record);
        let leaver = self.agents.get_mut(agent).expect("participant");
        leaver.held.remove(id);
        leaver.idle_since = now;
        fx.agent(
            agent,
            AgentEvent::Closed {
                conversation: id.clone(),
            },
        );
        self.append(
            id,
            Sender::System,
            &format!("{name} left the conversation"),
            now,
            fx,
        );
        self.tell_conference_state(id, fx);
    }

    /// Releases every guest of a conversation (it has ended for them).
    pub(super) fn release_guests(&mut self, id: &ConversationId, now: Millis, fx: &mut Effects) {
        let record = &mut self.conversations.get_mut(id).expect("open").record;
        let guests = std::mem::take(&mut record.conference);
        fx.touch(record);
        for guest in guests {
            let participant = self.agents.get_mut(&guest).expect("guest");
            participant.held.remove(id);
            participant.idle_since = now;
            fx.agent(
                &guest,
                AgentEvent::Closed {
                    conversation: id.clone(),
                },
            );
        }
    }

    /// Tells everyone in the conversation its interaction state: active, or a conference.
    pub(super) fn tell_conference_state(&self, id: &ConversationId, fx: &mut Effects) {
        let participants = self.participants(id);
        let state = if participants.len() > 1 {
            InteractionState::Conference {
                agents: participants.clone(),
            }
        } else {
            InteractionState::Active
        };
        for agent in participants {
            fx.state(&agent, id, state.clone());
        }
    }
}
