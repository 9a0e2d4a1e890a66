//! A supervisor's side of the desk: the live view of queues, agents and open conversations the
//! server pushes while they watch (merged here, so the window can redraw it whole at any time),
//! and the actions on others' work — monitor, barge in, set an agent's presence, sign an agent
//! out, assign and move waiting conversations. The server checks the role of every one.

use std::collections::BTreeMap;

use switchboard_protocol::agent::{AgentCommand, PresenceRequest};
use switchboard_protocol::live::{AgentFigures, LiveConversation, LiveUpdate, QueueFigures};
use switchboard_protocol::{AgentId, ConversationId, QueueId};

use crate::desk::{Desk, DeskError};
use crate::model::Update;
use crate::redact::Redactor;

/// The live view as last pushed, merged.
#[derive(Debug, Default)]
pub(crate) struct LiveBoard {
    /// The window has the view open: the desk asks for it again after a reconnect.
    pub(crate) watching: bool,
    at: u64,
    day_start: u64,
    trend_start: u64,
    queues: Vec<QueueFigures>,
    agents: BTreeMap<AgentId, AgentFigures>,
    conversations: BTreeMap<ConversationId, LiveConversation>,
}

impl LiveBoard {
    /// Merges a push (masking what the customer gave) and hands it on to the window.
    pub(crate) fn apply(&mut self, mut update: LiveUpdate, redactor: &Redactor) -> Vec<Update> {
        for conversation in &mut update.conversations {
            conversation.customer_name = redactor.owned(&conversation.customer_name);
        }
        if update.whole {
            self.queues.clear();
            self.agents.clear();
            self.conversations.clear();
        }
        self.at = update.at;
        self.day_start = update.day_start;
        self.trend_start = update.trend_start;
        for queue in &update.queues {
            match self
                .queues
                .iter_mut()
                .find(|q| q.queue.id == queue.queue.id)
            {
                Some(known) => *known = queue.clone(),
                None => self.queues.push(queue.clone()),
            }
        }
        for agent in &update.agents {
            self.agents.insert(agent.agent.id.clone(), agent.clone());
        }
        for conversation in &update.conversations {
            let id = conversation.id.clone();
            self.conversations.insert(id, conversation.clone());
        }
        for gone in &update.gone {
            self.conversations.remove(gone);
        }
        vec![Update::Live { update }]
    }

    /// The whole view as merged so far.
    pub(crate) fn whole(&self) -> LiveUpdate {
        LiveUpdate {
            whole: true,
            at: self.at,
            day_start: self.day_start,
            trend_start: self.trend_start,
            queues: self.queues.clone(),
            agents: self.agents.values().cloned().collect(),
            conversations: self.conversations.values().cloned().collect(),
            gone: Vec::new(),
        }
    }
}

impl Desk {
    /// Starts (or stops) watching the live view; the view as known so far, whole — the server's
    /// first push follows as an update.
    pub async fn watch_live(&self, watch: bool) -> Result<LiveUpdate, DeskError> {
        self.shared.model().live.watching = watch;
        let asked = self.command(AgentCommand::WatchLive { watch }).await;
        if asked.is_err() {
            self.shared.model().live.watching = false;
        }
        asked?;
        Ok(self.shared.model().live.whole())
    }

    /// Watches an ongoing conversation read-only: it joins the task list as monitored.
    pub async fn monitor(&self, conversation: &ConversationId) -> Result<(), DeskError> {
        let conversation = conversation.clone();
        self.command(AgentCommand::Monitor { conversation }).await?;
        Ok(())
    }

    pub async fn stop_monitoring(&self, conversation: &ConversationId) -> Result<(), DeskError> {
        self.held(conversation)?;
        let conversation = conversation.clone();
        self.command(AgentCommand::StopMonitoring { conversation })
            .await?;
        Ok(())
    }

    /// Joins a conversation at once, as in a conference.
    pub async fn barge(&self, conversation: &ConversationId) -> Result<(), DeskError> {
        let conversation = conversation.clone();
        self.command(AgentCommand::Barge { conversation }).await?;
        Ok(())
    }

    /// Sets another agent's presence, with the reason they are told.
    pub async fn set_agent_presence(
        &self,
        agent: &AgentId,
        presence: PresenceRequest,
        reason: &str,
    ) -> Result<(), DeskError> {
        self.command(AgentCommand::SetAgentPresence {
            agent: agent.clone(),
            presence,
            reason: reason.to_owned(),
        })
        .await?;
        Ok(())
    }

    /// Signs another agent out, with the reason they are told.
    pub async fn sign_out_agent(&self, agent: &AgentId, reason: &str) -> Result<(), DeskError> {
        self.command(AgentCommand::SignOutAgent {
            agent: agent.clone(),
            reason: reason.to_owned(),
        })
        .await?;
        Ok(())
    }

    /// Gives a waiting conversation straight to an agent.
    pub async fn assign(
        &self,
        conversation: &ConversationId,
        agent: &AgentId,
    ) -> Result<(), DeskError> {
        self.command(AgentCommand::Assign {
            conversation: conversation.clone(),
            agent: agent.clone(),
        })
        .await?;
        Ok(())
    }

    /// Moves a waiting conversation to another queue.
    pub async fn move_to_queue(
        &self,
        conversation: &ConversationId,
        queue: &QueueId,
    ) -> Result<(), DeskError> {
        self.command(AgentCommand::MoveToQueue {
            conversation: conversation.clone(),
            queue: queue.clone(),
        })
        .await?;
        Ok(())
    }
}
