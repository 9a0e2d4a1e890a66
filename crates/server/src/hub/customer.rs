//! The hub's side of a customer's commands: starting (or resuming) a chat on a connection, then
//! writing and ending in it. What a start becomes is routing's decision ([`Router::intake`]).
//!
//! [`Router::intake`]: crate::routing::Router::intake

use std::net::IpAddr;

use switchboard_protocol::customer::{CustomerCommand, CustomerOutcome, CustomerServerFrame};
use switchboard_protocol::template;
use switchboard_protocol::{Attachment, CommandId, ConversationId, ErrorBody, ErrorCode, Millis};

use super::committer::Pending;
use super::connection::{FrameSender, Live};
use super::replies::Replies;
use super::stream::Stream;
use super::{Hub, json};
use crate::auth;
use crate::routing::{Effects, Intake, StartChat};
use crate::store::{Store, StoreError};

/// The reply frame to customer command `id`.
fn reply(id: &CommandId, outcome: CustomerOutcome) -> String {
    json(&CustomerServerFrame::Reply {
        id: id.clone(),
        outcome,
    })
}

fn refusal(id: &CommandId, error: ErrorBody) -> String {
    reply(id, CustomerOutcome::Error { error })
}

/// A step's outcome as the customer is told it; a refused step's effects are dropped.
fn outcome(done: Result<(), ErrorBody>, fx: &mut Effects) -> CustomerOutcome {
    match done {
        Ok(()) => CustomerOutcome::Ok,
        Err(error) => {
            *fx = Effects::default();
            CustomerOutcome::Error { error }
        }
    }
}

/// The widget connection a customer's command came on.
#[derive(Debug)]
pub(super) struct CustomerConnection {
    pub(super) frames: FrameSender,
    pub(super) connection: u64,
    pub(super) client: IpAddr,
}

impl<S: Store> Hub<S> {
    /// Runs a customer's command; returns the conversation the connection is in afterwards.
    pub(super) async fn customer_command(
        &mut self,
        conversation: Option<ConversationId>,
        id: CommandId,
        (command, files): (CustomerCommand, Vec<Attachment>),
        on: CustomerConnection,
        now: Millis,
        pending: &mut Pending,
    ) -> Result<Option<ConversationId>, StoreError> {
        let Some(conversation) = conversation else {
            return self.before_start(id, command, on, now, pending).await;
        };
        match command {
            CustomerCommand::History { before } => {
                self.send_customer_history(&on.frames, id, &conversation, before);
                return Ok(Some(conversation));
            }
            CustomerCommand::Upload { name } => {
                self.send_customer_upload(&on.frames, id, &conversation, &name, now);
                return Ok(Some(conversation));
            }
            CustomerCommand::FileLink { file } => {
                self.send_customer_file_link(&on.frames, id, &conversation, file, now);
                return Ok(Some(conversation));
            }
            _ => {}
        }
        let stream = Stream::Customer(&conversation).to_string();
        if let Some(answer) = self.known_reply(&stream, &id.0).await? {
            self.deliver(pending, &stream, answer);
            return Ok(Some(conversation));
        }
        // A start retried after the client resumed the conversation it created (its reply was
        // lost): the first reply again.
        if let CustomerCommand::StartChat { .. } = &command {
            let start_key = auth::hash_token(&id.0);
            let started = self
                .known_reply(&Stream::Start.to_string(), &start_key)
                .await?;
            if started.as_deref() == Some(conversation.0.as_str()) {
                self.deliver(pending, &stream, reply(&id, CustomerOutcome::Ok));
                return Ok(Some(conversation));
            }
        }
        let mut fx = Effects::default();
        let done = match command {
            CustomerCommand::StartChat { .. } | CustomerCommand::Resume { .. } => Err(
                ErrorBody::new(ErrorCode::InvalidState, "This chat has already started."),
            ),
            CustomerCommand::SendMessage { text, .. } => {
                self.router
                    .customer_message_with_files(&conversation, &text, files, now, &mut fx)
            }
            CustomerCommand::End => self.router.customer_end(&conversation, now, &mut fx),
            CustomerCommand::Rate { rating, comment } => {
                self.router
                    .rate(&conversation, rating, &comment, now, &mut fx)
            }
            CustomerCommand::History { .. }
            | CustomerCommand::Upload { .. }
            | CustomerCommand::FileLink { .. } => unreachable!("answered off the hub"),
        };
        let answer = reply(&id, outcome(done, &mut fx));
        self.stage(pending, fx, Some((stream, id.0, answer)));
        Ok(Some(conversation))
    }

    /// A command on a connection that is in no conversation yet: only starting or resuming one.
    async fn before_start(
        &mut self,
        id: CommandId,
        command: CustomerCommand,
        on: CustomerConnection,
        now: Millis,
        pending: &mut Pending,
    ) -> Result<Option<ConversationId>, StoreError> {
        let CustomerConnection {
            frames,
            connection,
            client,
        } = on;
        let (start, customer_token) = match command {
            CustomerCommand::Resume {
                widget,
                customer_token,
            } => {
                let resumed = self.resume(
                    &widget,
                    &customer_token,
                    frames.clone(),
                    connection,
                    pending,
                );
                return Ok(match resumed {
                    Ok(conversation) => {
                        let stream = Stream::Customer(&conversation).to_string();
                        self.deliver(pending, &stream, reply(&id, CustomerOutcome::Ok));
                        Some(conversation)
                    }
                    Err(error) => {
                        let _ = frames.try_send(refusal(&id, error));
                        None
                    }
                });
            }
            CustomerCommand::StartChat {
                widget,
                name,
                email,
                message,
                context,
                customer_token,
                proactive,
                language,
            } => {
                let start = StartChat {
                    widget,
                    name,
                    email,
                    message,
                    context: context.into_iter().collect(),
                    signed_in: None,
                    proactive,
                    client: Some(client),
                    language: language.as_deref().and_then(template::language_code),
                };
                (start, customer_token)
            }
            CustomerCommand::SendMessage { .. }
            | CustomerCommand::End
            | CustomerCommand::History { .. }
            | CustomerCommand::Upload { .. }
            | CustomerCommand::FileLink { .. }
            | CustomerCommand::Rate { .. } => {
                let refused = ErrorBody::new(ErrorCode::InvalidState, "Start a chat first.");
                let _ = frames.try_send(refusal(&id, refused));
                return Ok(None);
            }
        };
        // A retried start (its reply was lost) rejoins the conversation it created.
        let start_stream = Stream::Start.to_string();
        // A start id is all that identifies a customer before their chat exists: like a resume
        // token, it is kept only as a hash.
        let start_key = auth::hash_token(&id.0);
        if let Some(started) = self.known_reply(&start_stream, &start_key).await? {
            let conversation = ConversationId(started);
            let stream = Stream::Customer(&conversation).to_string();
            self.attach(stream.clone(), 0, frames, connection, pending);
            self.router.customer_connected(&conversation);
            self.deliver(pending, &stream, reply(&id, CustomerOutcome::Ok));
            return Ok(Some(conversation));
        }
        let start = match self.signed_in(&start.widget, customer_token.as_deref()) {
            Some(Err(error)) => {
                let _ = frames.try_send(refusal(&id, error));
                return Ok(None);
            }
            signed_in => StartChat {
                signed_in: signed_in.and_then(Result::ok),
                ..start
            },
        };
        let intake = match self.router.intake(&id.0, &start) {
            Ok(intake) => intake,
            Err(error) => {
                let _ = frames.try_send(refusal(&id, error));
                return Ok(None);
            }
        };
        let token = auth::random_token();
        let mut fx = Effects::default();
        let (conversation, done, new) = match intake {
            Intake::Continue(open) => {
                let done = self.router.continue_persistent(
                    &open,
                    &token,
                    auth::hash_token(&token),
                    &start.message,
                    now,
                    &mut fx,
                );
                (open, done, false)
            }
            Intake::New { contact } => {
                let contact = match contact {
                    Some(key) => self.contact_card(&key).await?,
                    None => None,
                };
                let conversation = ConversationId(auth::random_id());
                let done = self.router.start_chat(
                    conversation.clone(),
                    &token,
                    auth::hash_token(&token),
                    start.request(contact),
                    now,
                    &mut fx,
                );
                (conversation, done, true)
            }
        };
        let outcome = outcome(done, &mut fx);
        if let CustomerOutcome::Error { .. } = outcome {
            // Nothing was staged: the connection stays in no conversation.
            let _ = frames.try_send(reply(&id, outcome));
            return Ok(None);
        }
        let stream = Stream::Customer(&conversation).to_string();
        if new {
            // A conversation started now has no stored replies: nothing to look up on disk.
            self.replies.insert(stream.clone(), Replies::default());
        }
        self.live
            .insert(stream.clone(), Live { connection, frames });
        self.router.customer_connected(&conversation);
        self.stage(pending, fx, None);
        self.remember(pending, &start_stream, &start_key, conversation.0.clone());
        self.deliver(pending, &stream, reply(&id, outcome));
        Ok(Some(conversation))
    }
}
