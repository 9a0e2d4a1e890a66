//! The hub's side of persistent chat: who a customer is, as the site signed it, and opening
//! their conversation again on a new connection.

use switchboard_protocol::{ConversationId, ErrorBody, ErrorCode};

use super::Hub;
use super::committer::Pending;
use super::connection::{FrameSender, Live};
use super::stream::Stream;
use crate::auth;
use crate::customer_token;
use crate::routing::Effects;
use crate::routing::SignedInCustomer;
use crate::store::Store;

impl<S: Store> Hub<S> {
    /// For a persistent widget, the customer its token names (or why it names nobody); `None`
    /// for a live widget, where customers need not sign in.
    pub(super) fn signed_in(
        &self,
        widget: &str,
        token: Option<&str>,
    ) -> Option<Result<SignedInCustomer, ErrorBody>> {
        let config = self.router.config();
        let widget = config.widget(widget)?;
        if !config.is_persistent(widget) {
            return None;
        }
        let key = widget.customer_key.as_deref().unwrap_or_default();
        let audience = widget.customer_token_audience.as_deref();
        Some(customer_token::verify(key, audience, token))
    }

    /// Whether a widget may resume `conversation` with its resume token: a persistent one only
    /// with a valid token of the customer it belongs to, on its widget — the stored resume token
    /// alone would keep a shared browser in the chat after the site signed its customer out.
    pub(super) fn may_resume(
        &self,
        conversation: &ConversationId,
        customer_token: Option<&str>,
    ) -> bool {
        let Some(record) = self.router.record(conversation) else {
            return true;
        };
        if !record.persistent {
            return true;
        }
        self.router.config().widgets.iter().any(|widget| {
            self.signed_in(&widget.id, customer_token)
                .and_then(Result::ok)
                .is_some_and(|customer| record.is_persistent_for(&widget.id, &customer.id))
        })
    }

    /// `resume`: the signed-in customer's persistent conversation, opened on this connection.
    pub(super) fn resume(
        &mut self,
        widget: &str,
        token: &str,
        frames: FrameSender,
        connection: u64,
        pending: &mut Pending,
    ) -> Result<ConversationId, ErrorBody> {
        let customer = self.signed_in(widget, Some(token)).unwrap_or_else(|| {
            Err(ErrorBody::new(
                ErrorCode::InvalidState,
                "This chat does not keep conversations between visits.",
            ))
        })?;
        let conversation = self
            .router
            .persistent_conversation(widget, &customer.id)
            .ok_or_else(|| {
                ErrorBody::new(
                    ErrorCode::NotFound,
                    "You have no conversation yet: write to start one.",
                )
            })?;
        self.reopen(&conversation, frames, connection, pending);
        Ok(conversation)
    }

    /// Makes this connection the customer's, with a new resume token and the whole history.
    pub(super) fn reopen(
        &mut self,
        conversation: &ConversationId,
        frames: FrameSender,
        connection: u64,
        pending: &mut Pending,
    ) {
        let token = auth::random_token();
        self.live.insert(
            Stream::Customer(conversation).to_string(),
            Live { connection, frames },
        );
        let mut fx = Effects::default();
        self.router
            .reopen(conversation, &token, auth::hash_token(&token), &mut fx);
        self.stage(pending, fx, None);
    }
}
