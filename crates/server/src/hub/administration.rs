//! What an administrator does through the admin API that routing must know: an account changed,
//! a conversation ended — told to the hub that routes.

use switchboard_protocol::{ConversationId, ErrorBody};

use super::forwarded::Forwarded;
use super::request::{HubHandle, Request, stopping};
use crate::routing::{AgentRecord, Ending};

impl HubHandle {
    /// `record`'s name, queues and capacity apply at once (its role, at the next sign-in).
    pub async fn account_changed(&self, record: &AgentRecord) {
        let local = Request::AccountChanged {
            record: record.clone(),
        };
        let forwarded = || Forwarded::AccountChanged {
            agent: record.id.clone(),
            email: record.email.clone(),
            name: record.name.clone(),
            queues: record.queues.clone(),
            capacity: record.capacity,
            role: record.role,
        };
        self.send_either(local, forwarded).await;
    }

    /// Ends `conversation`: answered, once committed, with what that did.
    pub async fn end_conversation(
        &self,
        conversation: ConversationId,
    ) -> Result<Ending, ErrorBody> {
        let local = |done| Request::EndConversation {
            conversation: conversation.clone(),
            done,
        };
        let forwarded = |answer| Forwarded::EndConversation {
            conversation: conversation.clone(),
            answer,
        };
        self.ask_either(local, forwarded)
            .await
            .unwrap_or_else(|| Err(stopping()))
    }
}
