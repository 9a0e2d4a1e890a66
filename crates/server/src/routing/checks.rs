//! The refusals every command shares: not held, not active, not offered, not a wrap-up reason.

use switchboard_protocol::{AgentId, ConversationId, ErrorBody, ErrorCode};

use super::Status;
use super::{Conversation, Result, Router, error};

/// The refusal of anything but ending an interrupted conversation.
pub(super) fn interrupted(reason: &str) -> ErrorBody {
    error(
        ErrorCode::InvalidState,
        format!("This conversation was interrupted ({reason}); you can only end it."),
    )
}

impl Router {
    /// Whether `agent` holds conversation `id`, active: not ended, not interrupted.
    pub(super) fn check_active(&self, agent: &AgentId, id: &ConversationId) -> Result {
        let conversation = self.held_by(agent, id)?;
        if let Some(reason) = &conversation.record.interrupted {
            return Err(interrupted(reason));
        }
        if !matches!(conversation.record.status, Status::Held { .. }) {
            return Err(error(
                ErrorCode::InvalidState,
                "This conversation has ended; choose a wrap-up reason.",
            ));
        }
        Ok(())
    }

    /// Whether `wrap_up` is one of the configured wrap-up reasons.
    pub(super) fn check_wrap_up(&self, wrap_up: &str) -> Result {
        if self
            .config
            .wrap_up_reasons
            .iter()
            .any(|reason| reason == wrap_up)
        {
            return Ok(());
        }
        Err(error(
            ErrorCode::UnknownReason,
            format!(
                "\"{wrap_up}\" is not a wrap-up reason; choose one of: {}.",
                self.config.wrap_up_reasons.join(", ")
            ),
        ))
    }

    pub(super) fn open_conversation(&self, id: &ConversationId) -> Result<&Conversation> {
        self.conversations
            .get(id)
            .ok_or_else(|| error(ErrorCode::NotFound, "This conversation is over."))
    }

    pub(super) fn held_by(&self, agent: &AgentId, id: &ConversationId) -> Result<&Conversation> {
        let conversation = self.open_conversation(id)?;
        if self.holder(id) != Some(agent) {
            return Err(error(
                ErrorCode::InvalidState,
                "You do not hold this conversation.",
            ));
        }
        Ok(conversation)
    }

    /// Whether `agent` may read the conversation's thread (and leave notes in it): they take
    /// part in it (holding it, in its conference, or wrapping it up) or monitor it.
    pub fn check_may_read(&self, agent: &AgentId, id: &ConversationId) -> Result {
        self.open_conversation(id)?;
        if self.audience(id).contains(agent) {
            Ok(())
        } else {
            Err(error(
                ErrorCode::InvalidState,
                "You do not take part in this conversation.",
            ))
        }
    }

    pub(super) fn check_offered_to(&self, agent: &AgentId, id: &ConversationId) -> Result {
        let offered = self
            .conversations
            .get(id)
            .and_then(|c| c.offer.as_ref())
            .is_some_and(|offer| &offer.agent == agent);
        if offered {
            Ok(())
        } else {
            Err(error(
                ErrorCode::InvalidState,
                "This request is no longer offered to you.",
            ))
        }
    }
}
