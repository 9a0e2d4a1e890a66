//! A supervisor's actions on others' work, from their desktop: what the audit log records of
//! each (who, what, when, from where), and signing an agent out, which ends their sessions in the
//! store and closes their desktop.

use std::net::IpAddr;

use switchboard_protocol::agent::{
    AgentCommand, AgentServerFrame, CommandResult, Outcome, PresenceRequest,
};
use switchboard_protocol::{AgentId, CommandId, ErrorBody, ErrorCode, Millis};

use super::agent::Desktop;
use super::committer::Pending;
use super::stream::Stream;
use super::{Hub, json};
use crate::store::{AuditAction, AuditEntry, Store, StoreError};

impl<S: Store> Hub<S> {
    /// The audit log's entry for `command`, should it succeed: `None` for a command that is not
    /// a supervisor's action on others' work.
    pub(super) fn audit_entry(
        &self,
        agent: &AgentId,
        command: &AgentCommand,
        origin: IpAddr,
        now: Millis,
    ) -> Option<AuditEntry> {
        let (action, subject, detail) = match command {
            AgentCommand::Monitor { conversation } => (
                AuditAction::Monitored,
                conversation.0.clone(),
                String::new(),
            ),
            AgentCommand::SendNote { conversation, .. }
                if self.router.is_monitoring(agent, conversation) =>
            {
                (
                    AuditAction::Whispered,
                    conversation.0.clone(),
                    String::new(),
                )
            }
            AgentCommand::Barge { conversation } => {
                (AuditAction::BargedIn, conversation.0.clone(), String::new())
            }
            AgentCommand::SetAgentPresence {
                agent: target,
                presence,
                reason,
            } => {
                let to = match presence {
                    PresenceRequest::Available => "available".to_owned(),
                    PresenceRequest::Idle { reason } => format!("idle ({reason})"),
                    PresenceRequest::Offline => "offline".to_owned(),
                };
                let detail = format!("{to}: {}", reason.trim());
                (AuditAction::PresenceChanged, self.email(target), detail)
            }
            AgentCommand::Assign {
                conversation,
                agent: target,
            } => {
                let detail = format!("to {}", self.email(target));
                (
                    AuditAction::ConversationAssigned,
                    conversation.0.clone(),
                    detail,
                )
            }
            AgentCommand::MoveToQueue {
                conversation,
                queue,
            } => {
                let detail = format!("to {queue}");
                (
                    AuditAction::ConversationMoved,
                    conversation.0.clone(),
                    detail,
                )
            }
            _ => return None,
        };
        Some(AuditEntry {
            at: now,
            actor: self.email(agent),
            action,
            subject,
            detail,
            origin: origin.to_string(),
        })
    }

    /// The e-mail address an agent signs in with, as the audit log names people.
    fn email(&self, agent: &AgentId) -> String {
        self.router
            .agent(agent)
            .map_or_else(|| agent.0.clone(), |summary| summary.email.clone())
    }

    /// Records an action that was done: a failure to record it is logged for the operator, not
    /// turned into a refusal.
    pub(super) async fn audit(&self, entry: &AuditEntry) {
        if let Err(error) = self.store.audit(entry).await {
            tracing::error!(%error, action = %entry.action, subject = %entry.subject, "an action could not be recorded in the audit log");
        }
    }

    /// A supervisor signs `target` out: their sessions end, their desktop is closed with the
    /// reason, and routing lets them go at once. Answered once that is committed.
    pub(super) async fn supervisor_sign_out(
        &mut self,
        by: Desktop,
        id: CommandId,
        target: &AgentId,
        reason: &str,
        now: Millis,
        pending: &mut Pending,
    ) -> Result<(), StoreError> {
        let stream = Stream::Agent(&by.agent).to_string();
        let checked = self.router.check_may_sign_out(&by.agent, target, reason);
        let ended = match checked {
            Ok(()) => self.store.end_sessions(target).await.map_err(|error| {
                tracing::error!(%error, "ending sessions failed");
                ErrorBody::new(
                    ErrorCode::Unavailable,
                    "The sessions could not be ended; try again.",
                )
            }),
            Err(error) => Err(error),
        };
        let outcome = match ended {
            Ok(()) => {
                let name = self
                    .router
                    .agent(&by.agent)
                    .map_or_else(String::new, |summary| summary.name.clone());
                let reason = reason.trim();
                let told = format!("Supervisor {name} signed you out: {reason}");
                let error = ErrorBody::new(ErrorCode::SessionRevoked, told);
                self.sign_out_now(target, error, now, pending);
                let entry = AuditEntry {
                    at: now,
                    actor: self.email(&by.agent),
                    action: AuditAction::SignedOut,
                    subject: self.email(target),
                    detail: reason.to_owned(),
                    origin: by.origin.to_string(),
                };
                self.audit(&entry).await;
                Outcome::Ok {
                    result: CommandResult::Done,
                }
            }
            Err(error) => Outcome::Error { error },
        };
        self.deliver(
            pending,
            &stream,
            json(&AgentServerFrame::Reply { id, outcome }),
        );
        Ok(())
    }
}
