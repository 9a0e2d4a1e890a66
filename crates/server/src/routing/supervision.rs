//! What a supervisor does to others' work from their desktop: monitoring a conversation (and
//! whispering into it with a note), barging in, setting an agent's presence, assigning and moving
//! waiting conversations. Each is checked against the supervisor's role first (`roles.rs`).

use switchboard_protocol::agent::{
    AgentEvent, InteractionState, PresenceRequest, Scenario, WithdrawReason,
};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::rules::MAX_SUPERVISOR_REASON_CHARS;
use switchboard_protocol::{AgentId, ConversationId, ErrorCode, Millis, QueueId, Sender};

use super::{Effects, Result, Router, Status, error};

impl Router {
    /// `supervisor` watches an open conversation read-only: its snapshot now, then every message
    /// and note of its thread.
    pub fn monitor(
        &mut self,
        supervisor: &AgentId,
        id: &ConversationId,
        fx: &mut Effects,
    ) -> Result {
        self.check_supervises(supervisor, "monitor conversations")?;
        self.open_conversation(id)?;
        if self.participants(id).contains(supervisor) {
            return Err(error(
                ErrorCode::InvalidState,
                "You take part in this conversation already.",
            ));
        }
        let record = &mut self.conversations.get_mut(id).expect("open").record;
        if !record.monitors.contains(supervisor) {
            record.monitors.push(supervisor.clone());
            fx.touch(record);
        }
        self.send_monitored_snapshot(supervisor, id, fx);
        Ok(())
    }

    fn send_monitored_snapshot(&self, supervisor: &AgentId, id: &ConversationId, fx: &mut Effects) {
        let mut conversation = self.snapshot(id);
        conversation.state = InteractionState::Monitoring;
        fx.agent(supervisor, AgentEvent::Snapshot { conversation });
    }

    /// The conversations `supervisor` monitors, in full: their desktop starting afresh.
    pub(super) fn send_monitored(&self, supervisor: &AgentId, fx: &mut Effects) {
        if !self.role(supervisor).supervises() {
            return;
        }
        for (id, conversation) in &self.conversations {
            if conversation.record.monitors.contains(supervisor) {
                self.send_monitored_snapshot(supervisor, id, fx);
            }
        }
    }

    pub fn stop_monitoring(
        &mut self,
        supervisor: &AgentId,
        id: &ConversationId,
        fx: &mut Effects,
    ) -> Result {
        self.check_supervises(supervisor, "monitor conversations")?;
        let conversation = self.open_conversation(id)?;
        if !conversation.record.monitors.contains(supervisor) {
            return Err(error(
                ErrorCode::InvalidState,
                "You are not monitoring this conversation.",
            ));
        }
        self.unwatch(supervisor, id, fx);
        Ok(())
    }

    /// `supervisor` stops watching: the conversation leaves their task list.
    fn unwatch(&mut self, supervisor: &AgentId, id: &ConversationId, fx: &mut Effects) {
        let record = &mut self.conversations.get_mut(id).expect("open").record;
        record.monitors.retain(|monitor| monitor != supervisor);
        fx.touch(record);
        let conversation = id.clone();
        fx.agent(supervisor, AgentEvent::Closed { conversation });
    }

    /// The supervisors monitoring a closed conversation are let go.
    pub(super) fn release_monitors(&mut self, id: &ConversationId, fx: &mut Effects) {
        let record = &mut self.conversations.get_mut(id).expect("open").record;
        for supervisor in std::mem::take(&mut record.monitors) {
            let conversation = id.clone();
            fx.agent(&supervisor, AgentEvent::Closed { conversation });
        }
    }

    /// Whether `supervisor` monitors the open conversation `id`.
    pub fn is_monitoring(&self, supervisor: &AgentId, id: &ConversationId) -> bool {
        self.conversations
            .get(id)
            .is_some_and(|c| c.record.monitors.contains(supervisor))
    }

    /// Everyone who sees the conversation's thread as it grows: its agents and its monitors.
    pub(super) fn audience(&self, id: &ConversationId) -> Vec<AgentId> {
        let mut agents = self.participants(id);
        agents.extend(self.conversations[id].record.monitors.iter().cloned());
        agents
    }

    /// `supervisor` joins an ongoing conversation at once, as in a conference: the customer is
    /// told a supervisor joined, and it counts towards the supervisor's load.
    pub fn barge(
        &mut self,
        supervisor: &AgentId,
        id: &ConversationId,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.check_supervises(supervisor, "barge into conversations")?;
        let conversation = self.open_conversation(id)?;
        let Status::Held { agent: holder, .. } = &conversation.record.status else {
            return Err(error(
                ErrorCode::InvalidState,
                "Only a conversation an agent is holding can be joined.",
            ));
        };
        if let Some(reason) = &conversation.record.interrupted {
            return Err(error(ErrorCode::InvalidState, reason.clone()));
        }
        let holder = holder.clone();
        if self.participants(id).contains(supervisor) {
            return Err(error(
                ErrorCode::InvalidState,
                "You take part in this conversation already.",
            ));
        }
        if conversation.offer.is_some() {
            return Err(error(
                ErrorCode::InvalidState,
                "A transfer or an invitation is pending; try again once it is answered.",
            ));
        }
        if conversation.record.monitors.contains(supervisor) {
            self.unwatch(supervisor, id, fx);
        }
        let joiner = self.agents.get_mut(supervisor).expect("a supervisor");
        joiner.held.insert(id.clone());
        let name = joiner.summary.name.clone();
        let record = &mut self.conversations.get_mut(id).expect("open").record;
        record.conference.push(supervisor.clone());
        fx.touch(record);
        self.append(
            id,
            Sender::System,
            &format!("Supervisor {name} joined the conversation"),
            now,
            fx,
        );
        self.tell_conference_state(id, fx);
        let conversation = self.snapshot(id);
        fx.agent(supervisor, AgentEvent::Snapshot { conversation });
        fx.agent(
            &holder,
            AgentEvent::Notice {
                conversation: id.clone(),
                scenario: Scenario::Conference,
                text: format!("Supervisor {name} joined the conversation."),
            },
        );
        let name = format!("{name} (supervisor)");
        self.tell_customer(id, CustomerEvent::AgentJoined { name }, fx);
        Ok(())
    }

    /// `supervisor` sets `agent`'s presence, as the agent could, with the reason they are told.
    pub fn set_agent_presence(
        &mut self,
        supervisor: &AgentId,
        agent: &AgentId,
        request: PresenceRequest,
        reason: &str,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.check_supervises(supervisor, "change another agent's presence")?;
        let reason = check_reason(reason)?;
        let Some(target) = self.agents.get(agent) else {
            return Err(error(ErrorCode::NotFound, "There is no such agent."));
        };
        if request == PresenceRequest::Offline && !target.held.is_empty() {
            return Err(error(
                ErrorCode::InvalidState,
                format!(
                    "{} holds {} conversation(s): sign them out instead, which returns them to \
                     their queues.",
                    target.summary.name,
                    target.held.len()
                ),
            ));
        }
        let name = self.agents[supervisor].summary.name.clone();
        let told = AgentEvent::PresenceSetBy {
            supervisor: name,
            reason: reason.to_owned(),
        };
        // Told first, so that the presence that follows is known to be someone else's doing (a
        // refusal below discards both).
        fx.agent(agent, told);
        self.set_presence(agent, request, now, fx)
    }

    /// May `supervisor` sign `agent` out? (The hub does it: it closes their desktop.)
    pub fn check_may_sign_out(
        &self,
        supervisor: &AgentId,
        agent: &AgentId,
        reason: &str,
    ) -> Result {
        self.check_supervises(supervisor, "sign other agents out")?;
        check_reason(reason)?;
        if !self.agents.contains_key(agent) {
            return Err(error(ErrorCode::NotFound, "There is no such agent."));
        }
        if agent == supervisor {
            return Err(error(
                ErrorCode::InvalidState,
                "Sign yourself out from your own menu.",
            ));
        }
        Ok(())
    }

    /// A supervisor assigns a waiting conversation from their desktop.
    pub fn supervisor_assign(
        &mut self,
        supervisor: &AgentId,
        id: &ConversationId,
        agent: &AgentId,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.check_supervises(supervisor, "assign conversations")?;
        self.assign(id, agent, now, fx)
    }

    /// A supervisor moves a waiting conversation to another queue: it keeps its place by how
    /// long it has waited, and a pending offer is withdrawn.
    pub fn move_to_queue(
        &mut self,
        supervisor: &AgentId,
        id: &ConversationId,
        queue: &QueueId,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.check_supervises(supervisor, "move conversations between queues")?;
        let target = self.servable_queue_name(queue)?;
        let conversation = self.open_conversation(id)?;
        let Status::Waiting { since } = conversation.record.status else {
            return Err(error(
                ErrorCode::InvalidState,
                "Only a conversation waiting in a queue can be moved.",
            ));
        };
        if conversation.record.with_bot || !self.is_queued(id) {
            return Err(error(
                ErrorCode::InvalidState,
                "This conversation is not waiting in a queue.",
            ));
        }
        if &conversation.record.queue == queue {
            return Err(error(
                ErrorCode::InvalidState,
                format!("The conversation is already in {target}."),
            ));
        }
        if self.conversations[id].offer.is_some() {
            self.withdraw_offer(id, WithdrawReason::Interrupted, now, fx);
        }
        self.remove_from_queue(id);
        let conversation = self.conversations.get_mut(id).expect("open");
        conversation.record.queue = queue.clone();
        conversation.rejected_by.clear();
        fx.touch(&conversation.record);
        let waiting = self.queues.entry(queue.clone()).or_default();
        let place = waiting.partition_point(|other| {
            matches!(self.conversations[other].record.status, Status::Waiting { since: theirs } if theirs <= since)
        });
        waiting.insert(place, id.clone());
        let name = self.agents[supervisor].summary.name.clone();
        let line = format!("Supervisor {name} moved the conversation to {target}");
        self.append(id, Sender::System, &line, now, fx);
        self.tell_positions(fx);
        self.dispatch(now, fx);
        Ok(())
    }

    fn is_queued(&self, id: &ConversationId) -> bool {
        let queue = &self.conversations[id].record.queue;
        self.queues
            .get(queue)
            .is_some_and(|waiting| waiting.contains(id))
            || self.conversations[id].offer.is_some()
    }

    /// The live view: refused to an agent.
    pub fn check_may_watch_live(&self, agent: &AgentId) -> Result {
        self.check_supervises(agent, "watch the live view")
    }
}

/// A supervisor's reason, trimmed: given, and not too long.
fn check_reason(reason: &str) -> Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_SUPERVISOR_REASON_CHARS {
        return Err(error(
            ErrorCode::InvalidInput,
            format!("Give the reason in 1 to {MAX_SUPERVISOR_REASON_CHARS} characters."),
        ));
    }
    Ok(reason)
}
