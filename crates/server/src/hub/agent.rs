//! The hub's side of an agent's desktop: attaching it (a resume or a fresh start) and running
//! its commands through routing.

use std::net::IpAddr;

use switchboard_protocol::agent::{
    AgentCommand, AgentServerFrame, CommandResult, Outcome, TransferTarget,
};
use switchboard_protocol::{
    AgentId, Attachment, CommandId, ErrorBody, Millis, PROTOCOL_VERSION, Seq,
};

use super::committer::Pending;
use super::connection::FrameSender;
use super::stream::Stream;
use super::{Hub, json};
use crate::routing::Effects;
use crate::store::{Store, StoreError};

/// An agent's desktop, and its address (for the audit log).
#[derive(Debug)]
pub(super) struct Desktop {
    pub(super) agent: AgentId,
    pub(super) origin: IpAddr,
}

impl<S: Store> Hub<S> {
    pub(super) async fn attach_agent(
        &mut self,
        agent: AgentId,
        last_seq: Option<Seq>,
        frames: FrameSender,
        connection: u64,
        now: Millis,
        pending: &mut Pending,
    ) -> Result<(), StoreError> {
        if self.router.agent(&agent).is_none() {
            // Added with `agent add` while the server runs.
            if let Some(record) = self
                .store
                .agents()
                .await?
                .into_iter()
                .find(|record| record.id == agent)
            {
                self.router.add_agent(record, now);
            }
        }
        let Some(summary) = self.router.agent(&agent).cloned() else {
            return Ok(());
        };
        let stream = Stream::Agent(&agent).to_string();
        let head = self.heads.get(&stream).copied().unwrap_or(0);
        // Resuming from a point the server has not reached (a restored backup) is a fresh start.
        let resume = last_seq.filter(|seq| *seq <= head);
        let welcome = AgentServerFrame::Welcome {
            protocol: PROTOCOL_VERSION,
            agent: summary,
            resumed: resume.is_some(),
            last_seq: resume.unwrap_or(head),
        };
        let _ = frames.try_send(json(&welcome));
        if resume.is_none() {
            // A desktop starting afresh has nothing to resume: what was not acknowledged is
            // superseded by the full picture it gets now.
            pending.batch.acks.push((stream.clone(), head));
        }
        self.attach(stream, resume.unwrap_or(head), frames, connection, pending);
        let mut fx = Effects::default();
        self.router
            .agent_connected(&agent, resume.is_none(), now, &mut fx);
        self.stage(pending, fx, None);
        Ok(())
    }

    /// Runs an agent's command once: a retry gets the first reply again. `files` are the
    /// attachments its file ids stand for, read by the edge.
    pub(super) async fn agent_command(
        &mut self,
        desktop: Desktop,
        id: CommandId,
        command: AgentCommand,
        files: Vec<Attachment>,
        now: Millis,
        pending: &mut Pending,
    ) -> Result<(), StoreError> {
        let Desktop { agent, origin } = desktop;
        if let AgentCommand::History {
            conversation,
            before,
        } = command
        {
            self.send_history(&agent, id, conversation, before);
            return Ok(());
        }
        match command {
            AgentCommand::Search { query, everyone } => {
                self.send_search(&agent, id, &query, everyone);
                return Ok(());
            }
            AgentCommand::Transcript { conversation } => {
                self.send_transcript(&agent, id, conversation);
                return Ok(());
            }
            AgentCommand::Upload { conversation, name } => {
                self.send_agent_upload(&agent, id, conversation, &name, now);
                return Ok(());
            }
            AgentCommand::Report { query } => {
                self.send_report(&agent, id, &query);
                return Ok(());
            }
            AgentCommand::FileLink { conversation, file } => {
                self.send_agent_file_link(&agent, id, conversation, file, now);
                return Ok(());
            }
            AgentCommand::WatchLive { watch } => {
                self.watch_live(&agent, id, watch, now);
                return Ok(());
            }
            AgentCommand::SignOutAgent {
                agent: target,
                reason,
            } => {
                let by = Desktop { agent, origin };
                return self
                    .supervisor_sign_out(by, id, &target, &reason, now, pending)
                    .await;
            }
            _ => {}
        }
        let stream = Stream::Agent(&agent).to_string();
        if let Some(reply) = self.known_reply(&stream, &id.0).await? {
            self.deliver(pending, &stream, reply);
            return Ok(());
        }
        let audited = self.audit_entry(&agent, &command, origin, now);
        let mut fx = Effects::default();
        let outcome = match self.route_agent_command(&agent, command, files, now, &mut fx) {
            Ok(result) => {
                if let Some(entry) = audited {
                    self.audit(&entry).await;
                }
                Outcome::Ok { result }
            }
            Err(error) => {
                // A refused command changes nothing.
                fx = Effects::default();
                Outcome::Error { error }
            }
        };
        let reply = json(&AgentServerFrame::Reply {
            id: id.clone(),
            outcome,
        });
        self.stage(pending, fx, Some((stream, id.0, reply)));
        Ok(())
    }

    /// Routes a command; `files` are the attachments its file ids stand for.
    fn route_agent_command(
        &mut self,
        agent: &AgentId,
        command: AgentCommand,
        files: Vec<Attachment>,
        now: Millis,
        fx: &mut Effects,
    ) -> Result<CommandResult, ErrorBody> {
        let router = &mut self.router;
        match command {
            AgentCommand::SetPresence { presence } => {
                router.set_presence(agent, presence, now, fx)?
            }
            AgentCommand::Accept { conversation } => {
                router.accept(agent, &conversation, now, fx)?
            }
            AgentCommand::Reject { conversation } => {
                router.reject(agent, &conversation, now, fx)?
            }
            AgentCommand::SendMessage {
                conversation, text, ..
            } => {
                router.agent_message_with_files(agent, &conversation, &text, files, now, fx)?;
            }
            AgentCommand::SendNote { conversation, text } => {
                router.agent_note(agent, &conversation, &text, now, fx)?;
            }
            AgentCommand::End {
                conversation,
                wrap_up,
            } => router.end(agent, &conversation, &wrap_up, now, fx)?,
            AgentCommand::ListQueues => {
                return Ok(CommandResult::Queues {
                    queues: router.queue_summaries(),
                });
            }
            AgentCommand::ListAvailableAgents => {
                return Ok(CommandResult::Agents {
                    agents: router.available_agents(agent),
                });
            }
            AgentCommand::Transfer {
                conversation,
                to: TransferTarget::Queue { queue },
                note,
            } => {
                let note = note.as_deref();
                router.transfer_to_queue(agent, &conversation, &queue, note, now, fx)?;
            }
            AgentCommand::Transfer {
                conversation,
                to: TransferTarget::Agent { agent: target },
                note,
            } => {
                let note = note.as_deref();
                router.transfer_to_agent(agent, &conversation, &target, note, now, fx)?;
            }
            AgentCommand::ConferenceInvite {
                conversation,
                agent: target,
            } => {
                router.conference_invite(agent, &conversation, &target, now, fx)?;
            }
            AgentCommand::ConferenceExit {
                conversation,
                wrap_up,
            } => {
                router.conference_exit(agent, &conversation, &wrap_up, now, fx)?;
            }
            AgentCommand::Park { conversation } => router.park(agent, &conversation, now, fx)?,
            AgentCommand::Monitor { conversation } => router.monitor(agent, &conversation, fx)?,
            AgentCommand::StopMonitoring { conversation } => {
                router.stop_monitoring(agent, &conversation, fx)?
            }
            AgentCommand::Barge { conversation } => router.barge(agent, &conversation, now, fx)?,
            AgentCommand::SetAgentPresence {
                agent: target,
                presence,
                reason,
            } => router.set_agent_presence(agent, &target, presence, &reason, now, fx)?,
            AgentCommand::Assign {
                conversation,
                agent: target,
            } => router.supervisor_assign(agent, &conversation, &target, now, fx)?,
            AgentCommand::MoveToQueue {
                conversation,
                queue,
            } => router.move_to_queue(agent, &conversation, &queue, now, fx)?,
            AgentCommand::Escalate {
                conversation,
                queue,
                reason,
            } => router.escalate(agent, &conversation, &queue, &reason, now, fx)?,
            AgentCommand::History { .. }
            | AgentCommand::Search { .. }
            | AgentCommand::Transcript { .. }
            | AgentCommand::Upload { .. }
            | AgentCommand::FileLink { .. }
            | AgentCommand::Report { .. }
            | AgentCommand::WatchLive { .. }
            | AgentCommand::SignOutAgent { .. } => unreachable!("handled before routing"),
        }
        Ok(CommandResult::Done)
    }
}
