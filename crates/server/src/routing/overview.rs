//! What the supervisors' live view shows of the model now: each queue's waiting conversations
//! and the agents serving it, each agent's presence and load, each open conversation's stage.
//! Read-only; today's figures are counted elsewhere, from facts (`crate::live`).

use switchboard_protocol::agent::AgentSummary;
use switchboard_protocol::live::{LiveConversation, LiveStage, Staffing};
use switchboard_protocol::{Millis, Presence, QueueId};

use super::{Router, Status};

/// A queue now.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueNow {
    pub id: QueueId,
    pub waiting: u32,
    pub oldest_waiting_since: Option<Millis>,
    pub staffing: Staffing,
}

/// An agent now.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentNow {
    pub summary: AgentSummary,
    pub connected: bool,
    pub presence: Presence,
    pub presence_since: Millis,
    pub held: u32,
    pub capacity: u32,
}

impl Router {
    /// Every queue still served, in the configuration's order.
    pub fn queues_now(&self) -> Vec<QueueNow> {
        let mut queues: Vec<QueueNow> = self
            .config
            .queues
            .iter()
            .filter(|queue| !self.removed.contains(&queue.id))
            .map(|queue| {
                let waiting: Vec<Millis> = self
                    .conversations
                    .values()
                    .filter(|c| c.record.queue == queue.id)
                    .filter_map(|c| match c.record.status {
                        Status::Waiting { since } => Some(since),
                        _ => None,
                    })
                    .collect();
                QueueNow {
                    id: queue.id.clone(),
                    waiting: waiting.len() as u32,
                    oldest_waiting_since: waiting.iter().min().copied(),
                    staffing: Staffing::default(),
                }
            })
            .collect();
        for agent in self.agents.values() {
            if !agent.connected || agent.presence == Presence::Offline {
                continue;
            }
            for queue in queues.iter_mut().filter(|q| agent.queues.contains(&q.id)) {
                let staffing = &mut queue.staffing;
                match &agent.presence {
                    _ if agent.held.len() >= agent.capacity => staffing.busy += 1,
                    Presence::Available => staffing.available += 1,
                    Presence::Idle { .. } => staffing.idle += 1,
                    Presence::Rona => staffing.rona += 1,
                    Presence::Offline => {}
                }
            }
        }
        queues
    }

    /// Every agent, by name.
    pub fn agents_now(&self) -> Vec<AgentNow> {
        let mut agents: Vec<AgentNow> = self
            .agents
            .values()
            .map(|agent| AgentNow {
                summary: agent.summary.clone(),
                connected: agent.connected,
                presence: agent.presence.clone(),
                presence_since: agent.presence_since,
                held: agent.held.len() as u32,
                capacity: agent.capacity as u32,
            })
            .collect();
        agents.sort_by(|a, b| {
            (&a.summary.name, &a.summary.id).cmp(&(&b.summary.name, &b.summary.id))
        });
        agents
    }

    /// Every open conversation, as the live view lists it.
    pub fn conversations_now(&self) -> impl Iterator<Item = LiveConversation> + '_ {
        self.conversations.values().map(|conversation| {
            let record = &conversation.record;
            let stage = match &record.status {
                Status::Waiting { since } => LiveStage::Waiting {
                    since: *since,
                    offered_to: conversation.offer.as_ref().map(|offer| offer.agent.clone()),
                },
                Status::Held { agent, accepted_at } => LiveStage::Held {
                    agent: agent.clone(),
                    since: *accepted_at,
                    conference: record.conference.clone(),
                },
                Status::WrapUp { agent, .. } => LiveStage::WrapUp {
                    agent: agent.clone(),
                },
                Status::Parked { agent, .. } => LiveStage::Parked {
                    agent: agent.clone(),
                },
                Status::Closed { .. } => unreachable!("closed conversations leave the model"),
            };
            LiveConversation {
                id: record.id.clone(),
                channel: record.channel,
                queue: self.queue_summary(&record.queue),
                customer_name: record.customer.name.clone(),
                started_at: record.started_at,
                stage,
            }
        })
    }
}
