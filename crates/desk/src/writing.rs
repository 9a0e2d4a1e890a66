//! What the agent writes, through [`Desk`]: messages (which may carry template parameters the
//! server fills) and internal notes, the draft's typing, and the templates the composer inserts.

use switchboard_protocol::agent::AgentCommand;
use switchboard_protocol::{ConversationId, ErrorBody, FileId, template};

use crate::composer::check_draft;
use crate::desk::{Desk, DeskError, now};
use crate::templates::TemplateChoice;

impl Desk {
    /// Sends a message, checked against the composer's rules first; the agent has stopped typing.
    pub async fn send_message(
        &self,
        conversation: &ConversationId,
        text: &str,
    ) -> Result<(), DeskError> {
        self.send_message_with_files(conversation, text, Vec::new())
            .await
    }

    /// Sends a message with files uploaded for it ([`Desk::upload_file`]); with files, the text
    /// may be empty.
    pub async fn send_message_with_files(
        &self,
        conversation: &ConversationId,
        text: &str,
        files: Vec<FileId>,
    ) -> Result<(), DeskError> {
        let count = files.len();
        let message = AgentCommand::SendMessage {
            conversation: conversation.clone(),
            text: text.to_owned(),
            files,
        };
        // A message may carry template parameters, which the server fills.
        let check = |text: &str| template::check_with_files(text, count).map_err(DeskError::Draft);
        self.send_checked(conversation, text, check, message)
            .await?;
        self.drafted(conversation, true);
        Ok(())
    }

    /// Sends `command` carrying `text` once the conversation is held and `check` lets the text
    /// through.
    async fn send_checked(
        &self,
        conversation: &ConversationId,
        text: &str,
        check: impl Fn(&str) -> Result<(), DeskError>,
        command: AgentCommand,
    ) -> Result<(), DeskError> {
        self.held(conversation)?;
        check(text)?;
        self.command(command).await?;
        Ok(())
    }

    /// The agent's draft in `conversation` changed (`empty`: nothing is left in it, or they
    /// left it): the customer sees them typing, or not any more.
    pub fn drafted(&self, conversation: &ConversationId, empty: bool) {
        let said = self.shared.typing().drafted(conversation, empty, now());
        if let Some(typing) = said {
            self.link.typing(conversation.clone(), typing);
        }
    }

    /// The templates the conversation offers that match `search` (shortcut, name or text,
    /// whatever the case and accents).
    pub fn templates(&self, conversation: &ConversationId, search: &str) -> Vec<TemplateChoice> {
        self.shared.model().templates(conversation, search)
    }

    /// The template with `shortcut` as the composer takes it: what this desktop may show written
    /// in, the rest left as parameters the server fills when the message is sent.
    pub fn insert_template(
        &self,
        conversation: &ConversationId,
        shortcut: &str,
    ) -> Result<String, DeskError> {
        self.shared
            .model()
            .insert_template(conversation, shortcut)
            .ok_or(DeskError::NoSuchConversation)
    }

    /// Leaves an internal note in the thread, for agents only; the same rules as a message.
    pub async fn send_note(
        &self,
        conversation: &ConversationId,
        text: &str,
    ) -> Result<(), DeskError> {
        let note = AgentCommand::SendNote {
            conversation: conversation.clone(),
            text: text.to_owned(),
        };
        self.send_checked(conversation, text, check_sendable, note)
            .await
    }
}

/// A draft the composer's rules let through, or why not.
pub(crate) fn check_sendable(text: &str) -> Result<(), DeskError> {
    let check = check_draft(text);
    if check.sendable {
        return Ok(());
    }
    Err(DeskError::Draft(check.problem.unwrap_or_else(|| {
        ErrorBody::new(
            switchboard_protocol::ErrorCode::EmptyMessage,
            "Write something before sending.",
        )
    })))
}
