//! Who may send files into a conversation and read its files, and the name a file is kept by.

use switchboard_protocol::rules::MAX_FILE_NAME_CHARS;
use switchboard_protocol::{AgentId, ConversationId, ErrorCode};

use super::{Result, Router, error};

impl Router {
    /// An agent may upload into a conversation they hold or joined, while it is open.
    pub fn check_may_upload(&self, agent: &AgentId, id: &ConversationId) -> Result {
        self.open_conversation(id)?;
        if self.participants(id).contains(agent) {
            Ok(())
        } else {
            Err(error(
                ErrorCode::InvalidState,
                "You do not take part in this conversation.",
            ))
        }
    }

    /// An agent may read the files of an open conversation they hold, joined or are offered.
    /// (Those of ended conversations they took part in are the store's to say.)
    pub fn check_may_read_files(&self, agent: &AgentId, id: &ConversationId) -> Result {
        self.check_may_read(agent, id)
            .or_else(|_| self.check_offered_to(agent, id))
    }

    /// A customer may upload into their conversation while it is open and not ended.
    pub fn check_customer_may_upload(&self, id: &ConversationId) -> Result {
        let conversation = self.open_conversation(id)?;
        if matches!(conversation.record.status, super::Status::WrapUp { .. }) {
            return Err(error(
                ErrorCode::InvalidState,
                "This conversation has ended.",
            ));
        }
        Ok(())
    }

    /// The name a file is kept and shown by: its last path part, without control characters, at
    /// most [`MAX_FILE_NAME_CHARS`] characters, payment data masked like a message's.
    pub fn file_name(&self, sent: &str) -> String {
        let base = sent.rsplit(['/', '\\']).next().unwrap_or_default();
        let clean: String = base
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_FILE_NAME_CHARS)
            .collect();
        let clean = clean.trim();
        let name = if clean.is_empty() { "file" } else { clean };
        self.storable(name).into_owned()
    }
}
