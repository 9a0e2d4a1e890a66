//! The thread of a conversation: appending a message for its agents, its customer and the
//! errands it starts (a reply by SMS or Messenger, a turn for the bot); Messenger's reply windows;
//! a reply that could not be delivered.

use std::borrow::Cow;

use switchboard_protocol::agent::AgentEvent;
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::rules::HISTORY_PAGE;
use switchboard_protocol::{
    Attachment, Channel, ChatMessage, ConversationId, ErrorCode, Millis, Sender,
};

use super::{BotTurn, Errand, Outbound};
use super::{Effects, Result, Router, error};

const DAY: Millis = 24 * 3_600_000;
/// Messenger's window for standard replies after the customer's last message.
pub(super) const STANDARD_REPLY_WINDOW: Millis = DAY;
/// Messenger's window for a human agent's tagged replies.
const HUMAN_AGENT_REPLY_WINDOW: Millis = 7 * DAY;

/// The start of a message, to name it in a line of the thread.
fn preview(text: &str) -> String {
    const CHARS: usize = 40;
    match text.char_indices().nth(CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

impl Router {
    /// Messenger delivers a human agent's reply up to 7 days after the customer's last message.
    pub(super) fn check_messenger_window(&self, id: &ConversationId, now: Millis) -> Result {
        let since = self.since_customer_wrote(id, now).unwrap_or(0);
        if since <= HUMAN_AGENT_REPLY_WINDOW {
            return Ok(());
        }
        Err(error(
            ErrorCode::InvalidState,
            format!(
                "Messenger only delivers replies within 7 days of the customer's last message, \
                 and it has been {} days; nothing was sent.",
                since / DAY
            ),
        ))
    }

    pub(super) fn append(
        &mut self,
        id: &ConversationId,
        from: Sender,
        text: &str,
        now: Millis,
        fx: &mut Effects,
    ) {
        self.append_with(id, from, text, Vec::new(), now, fx);
    }

    /// Adds a message to the thread, for its agents and its customer.
    /// Text as it may be stored: payment data masked, unless the operator keeps it.
    pub(super) fn storable<'t>(&self, text: &'t str) -> Cow<'t, str> {
        match &self.payment_masker {
            Some(masker) => masker.mask(text),
            None => Cow::Borrowed(text),
        }
    }

    pub(super) fn append_with(
        &mut self,
        id: &ConversationId,
        from: Sender,
        text: &str,
        attachments: Vec<Attachment>,
        now: Millis,
        fx: &mut Effects,
    ) {
        let text = self.storable(text).into_owned();
        let conversation = self.conversations.get_mut(id).expect("open");
        let message = ChatMessage {
            id: conversation.record.next_message,
            conversation: id.clone(),
            from,
            text,
            sent_at: now,
            attachments,
        };
        // The counter is not persisted per message: at load it is one past the last message.
        conversation.record.next_message += 1;
        if matches!(message.from, Sender::Customer { .. }) {
            conversation.customer_wrote_at = Some(now);
        }
        conversation.history.push_back(message.clone());
        if conversation.history.len() > HISTORY_PAGE {
            conversation.history.pop_front();
        }
        fx.messages.push(message.clone());
        for agent in self.audience(id) {
            fx.agent(
                &agent,
                AgentEvent::Message {
                    message: message.clone(),
                },
            );
        }
        let record = &self.conversations[id].record;
        if record.with_bot && matches!(message.from, Sender::Customer { .. }) {
            let bot = self.config.workstream(record.channel).bot.clone();
            fx.errand(Errand::Bot(BotTurn {
                conversation: id.clone(),
                text: message.text.clone(),
                bot: bot.unwrap_or_default(),
            }));
        }
        match (&record.address, &message.from) {
            // A reply to an SMS or Messenger customer leaves through the provider.
            (Some(address), Sender::Agent { .. } | Sender::Bot { .. }) => {
                fx.errand(Errand::Reply(Outbound {
                    conversation: id.clone(),
                    message: message.id,
                    channel: record.channel,
                    address: address.clone(),
                    files: message
                        .attachments
                        .into_iter()
                        .filter_map(|attachment| attachment.file)
                        .collect(),
                    text: message.text,
                    human_agent: self
                        .since_customer_wrote(id, now)
                        .is_some_and(|since| since > STANDARD_REPLY_WINDOW),
                }))
            }
            (Some(_), _) => {}
            // System lines record the conversation for agents (the widget words the same facts
            // itself, from the customer's events: `agent_joined`, `ended`); notes are theirs.
            (None, from) if !from.reaches_customer() => {}
            (None, _) => fx.customer(id, CustomerEvent::Message { message }),
        }
    }

    /// How long ago the customer's last message was.
    pub(super) fn since_customer_wrote(&self, id: &ConversationId, now: Millis) -> Option<Millis> {
        self.conversations[id]
            .customer_wrote_at
            .map(|wrote_at| now.saturating_sub(wrote_at))
    }

    /// Tells the customer's widget, if the conversation has one: SMS and Messenger customers
    /// only get the agents' replies.
    pub(super) fn tell_customer(
        &self,
        id: &ConversationId,
        event: CustomerEvent,
        fx: &mut Effects,
    ) {
        if self
            .conversations
            .get(id)
            .is_some_and(|c| c.record.channel == Channel::Chat)
        {
            fx.customer(id, event);
        }
    }

    /// The courier could not deliver an agent's reply: the agents see why, in the thread.
    pub fn delivery_failed(
        &mut self,
        id: &ConversationId,
        message: u64,
        reason: &str,
        now: Millis,
        fx: &mut Effects,
    ) {
        let Some(conversation) = self.conversations.get(id) else {
            tracing::warn!(%id, message, reason, "a reply to an ended conversation was not delivered");
            return;
        };
        let channel = match conversation.record.channel {
            Channel::Sms => "SMS",
            Channel::Facebook => "Messenger",
            Channel::Chat => "chat",
        };
        // A reply long before the latest page is named by its number.
        let line = match conversation.history.iter().find(|m| m.id == message) {
            Some(m) => format!(
                "Not delivered by {channel}: “{}” ({reason})",
                preview(&m.text)
            ),
            None => format!("Not delivered by {channel}: message {message} ({reason})"),
        };
        self.append(id, Sender::System, &line, now, fx);
    }
}
