//! Earlier pages of a thread: routing keeps the latest page of each open conversation, and an
//! agent or a persistent chat's customer scrolling back asks for the pages before it, read from
//! the store off the hub (masked like everything else an agent is sent; without the system lines
//! and notes for the customer, as the widget's history has them). A read changes nothing, so its
//! reply is not stored.

use switchboard_protocol::agent::{AgentServerFrame, CommandResult, Outcome};
use switchboard_protocol::customer::{CustomerOutcome, CustomerServerFrame};
use switchboard_protocol::rules::HISTORY_PAGE;
use switchboard_protocol::{AgentId, ChatMessage, CommandId, ConversationId, ErrorBody, ErrorCode};

use super::connection::FrameSender;
use super::stream::Stream;
use super::{Hub, json};
use crate::masking;
use crate::store::Store;

impl<S: Store> Hub<S> {
    /// Answers `history` on the agent's connection once the page is read.
    pub(super) fn send_history(
        &self,
        agent: &AgentId,
        id: CommandId,
        conversation: ConversationId,
        before: u64,
    ) {
        let Some(live) = self.live.get(&Stream::Agent(agent).to_string()) else {
            return;
        };
        let frames = live.frames.clone();
        if let Err(error) = self.router.check_may_read(agent, &conversation) {
            let outcome = Outcome::Error { error };
            frames.try_send(json(&AgentServerFrame::Reply { id, outcome }));
            return;
        }
        let store = self.store.clone();
        let masker = self.agent_masker;
        tokio::spawn(async move {
            let outcome = match page(&store, &conversation, before).await {
                Ok(mut messages) => {
                    if let Some(masker) = &masker {
                        for message in &mut messages {
                            masking::message(masker, message);
                        }
                    }
                    Outcome::Ok {
                        result: CommandResult::Messages { messages },
                    }
                }
                Err(error) => Outcome::Error { error },
            };
            frames.try_send(json(&AgentServerFrame::Reply { id, outcome }));
        });
    }

    /// Answers a customer's `history` on their connection once the page is read.
    pub(super) fn send_customer_history(
        &self,
        frames: &FrameSender,
        id: CommandId,
        conversation: &ConversationId,
        before: u64,
    ) {
        let (store, frames, conversation) =
            (self.store.clone(), frames.clone(), conversation.clone());
        tokio::spawn(async move {
            let outcome = match page(&store, &conversation, before).await {
                Ok(mut messages) => {
                    messages.retain(|message| message.from.reaches_customer());
                    CustomerOutcome::Page { messages }
                }
                Err(error) => CustomerOutcome::Error { error },
            };
            frames.try_send(json(&CustomerServerFrame::Reply { id, outcome }));
        });
    }
}

/// The page before message `before`, or the error to answer when the store cannot say.
async fn page<S: Store>(
    store: &S,
    conversation: &ConversationId,
    before: u64,
) -> Result<Vec<ChatMessage>, ErrorBody> {
    store
        .messages_before(conversation, before, HISTORY_PAGE)
        .await
        .map_err(|error| {
            tracing::error!(%error, %conversation, "could not read a page of a thread");
            ErrorBody::new(
                ErrorCode::Unavailable,
                "The earlier messages cannot be read now; try again in a moment.",
            )
        })
}
