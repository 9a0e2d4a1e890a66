//! A customer asking to start a chat, decided before anything is staged: a signed-in customer
//! with a persistent conversation goes on with it; anyone else opens a new conversation, matched
//! to a contact by the signed-in customer's id or the e-mail address they gave.

use std::net::IpAddr;

use switchboard_protocol::agent::{ContactCard, Customer};
use switchboard_protocol::{ContextValue, ConversationId, Millis, rules};

use super::{ChatRequest, ContactKey, Effects, Result, Router, SignedInCustomer};

/// A `start_chat` as the widget sent it, with the customer the site signed in, if any.
#[derive(Debug)]
pub struct StartChat {
    pub widget: String,
    pub name: String,
    pub email: Option<String>,
    pub message: String,
    pub context: Vec<(String, ContextValue)>,
    pub signed_in: Option<SignedInCustomer>,
    /// The customer accepted the widget's invitation.
    pub proactive: bool,
    /// The customer's address, for the limit on chats waiting from one address.
    pub client: Option<IpAddr>,
    /// The customer's language code, when their widget said it.
    pub language: Option<String>,
}

/// What a `start_chat` becomes.
#[derive(Debug, PartialEq, Eq)]
pub enum Intake {
    /// The signed-in customer's persistent conversation goes on, with this message.
    Continue(ConversationId),
    /// A new conversation, for the contact this key finds (if any).
    New { contact: Option<ContactKey> },
}

impl StartChat {
    /// The e-mail address the widget gave, or else the one the site signed.
    fn email(&self) -> Option<String> {
        self.email.clone().or_else(|| {
            self.signed_in
                .as_ref()
                .and_then(|customer| customer.email.clone())
        })
    }

    /// The request a new conversation opens from: the name the widget gave, or the signed-in
    /// customer's when it gave none.
    pub fn request(&self, contact: Option<ContactCard>) -> ChatRequest<'_> {
        let name = match &self.signed_in {
            Some(SignedInCustomer {
                name: Some(signed), ..
            }) if self.name.trim().is_empty() => signed.clone(),
            _ => self.name.clone(),
        };
        ChatRequest {
            widget: &self.widget,
            customer: Customer {
                name,
                email: self.email(),
                phone: None,
            },
            first_message: &self.message,
            context: self.context.clone(),
            contact,
            customer_id: self.signed_in.as_ref().map(|customer| customer.id.clone()),
            proactive: self.proactive,
            client: self.client,
            language: self.language.clone(),
        }
    }
}

impl Router {
    /// Decides what `start` becomes. `command_id` must be long enough to recognise a retry by.
    pub fn intake(&self, command_id: &str, start: &StartChat) -> Result<Intake> {
        rules::check_start_id(command_id)?;
        if let Some(open) = start
            .signed_in
            .as_ref()
            .and_then(|customer| self.persistent_conversation(&start.widget, &customer.id))
        {
            return Ok(Intake::Continue(open));
        }
        let contact = match (&start.signed_in, start.email()) {
            (Some(customer), _) => Some(ContactKey::ExternalId(customer.id.clone())),
            (None, Some(email)) => Some(ContactKey::Email(email)),
            (None, None) => None,
        };
        Ok(Intake::New { contact })
    }

    /// A signed-in customer starts again in their persistent conversation: it is reopened on
    /// their connection (a new resume token, the whole history) with their message. Refused (the
    /// message breaks the rules), the step changes nothing once its effects are dropped, as every
    /// refused step's are: the customer keeps their resume token.
    pub fn continue_persistent(
        &mut self,
        id: &ConversationId,
        token: &str,
        token_hash: String,
        message: &str,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.reopen(id, token, token_hash, fx);
        self.customer_message(id, message, now, fx)
    }
}
