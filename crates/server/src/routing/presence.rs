//! Agents connecting, going away and choosing their presence (SPEC §1).

use switchboard_protocol::agent::{AgentEvent, AgentSummary, PresenceRequest, WithdrawReason};
use switchboard_protocol::{AgentId, ConversationId, ErrorCode, Millis, Presence};

use super::{Effects, Result, Router, error};

impl Router {
    /// The agent's desktop connected. A fresh start (not a resume) gets the whole picture:
    /// presence, profile, every held conversation and any pending offer.
    pub fn agent_connected(&mut self, id: &AgentId, fresh: bool, now: Millis, fx: &mut Effects) {
        let profile = fresh.then(|| self.profile());
        let Some(agent) = self.agents.get_mut(id) else {
            return;
        };
        agent.connected = true;
        agent.disconnected_at = None;
        if let Some(profile) = profile {
            let presence = AgentEvent::Presence {
                presence: agent.presence.clone(),
                since: agent.presence_since,
            };
            fx.agent(id, presence);
            fx.agent(id, AgentEvent::Profile { profile });
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
            self.send_monitored(id, fx);
        }
        self.dispatch(now, fx);
    }

    /// The agent's desktop went away. Presence and conversations stay for the grace period.
    pub fn agent_disconnected(&mut self, id: &AgentId, now: Millis) {
        let Some(agent) = self.agents.get_mut(id) else {
            return;
        };
        agent.connected = false;
        agent.disconnected_at = Some(now);
        self.start_grace(id, now);
    }

    /// The agent's sessions were ended (signed out by an administrator, a new password, the
    /// account removed): handled at once as an agent whose connection was lost for good — their
    /// offer withdrawn, their live conversations back to the head of their queues, Offline.
    pub fn agent_signed_out(&mut self, id: &AgentId, now: Millis, fx: &mut Effects) {
        let Some(agent) = self.agents.get_mut(id) else {
            return;
        };
        agent.connected = false;
        agent.disconnected_at = Some(now);
        if agent.presence != Presence::Offline {
            self.sign_out_lost_agent(id, now, fx);
        }
        self.dispatch(now, fx);
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

    pub(super) fn change_presence(
        &mut self,
        id: &AgentId,
        presence: Presence,
        now: Millis,
        fx: &mut Effects,
    ) {
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
}
