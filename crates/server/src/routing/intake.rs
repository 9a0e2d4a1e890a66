//! Conversations coming in (SPEC §2, §6): a live chat started from a widget, an SMS or
//! Messenger message, the customer writing and leaving.

use std::collections::HashSet;

use switchboard_protocol::agent::{
    ContactCard, Customer, InteractionState, NamedContextValue, WithdrawReason,
};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::rules::{self, MAX_CONTEXT_VARIABLES, MAX_CUSTOMER_NAME_CHARS};
use switchboard_protocol::{
    Attachment, Channel, ContextValue, ConversationId, EndedBy, ErrorCode, Millis, QueueId, Sender,
};

use super::Inbound;
use super::{CUSTOMER_ENDED, ChatRequest, Conversation, Effects, Origin, Result, Router, error};
use super::{ChannelAddress, ConversationRecord, Status};

impl Router {
    /// A customer starts a live chat from a widget.
    #[allow(clippy::too_many_arguments)]
    pub fn start_chat(
        &mut self,
        id: ConversationId,
        token: &str,
        token_hash: String,
        request: ChatRequest<'_>,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        let ChatRequest {
            widget,
            customer,
            first_message,
            context,
            contact,
            customer_id,
            proactive,
            client,
            language,
        } = request;
        let widget = self.config.widget(widget).ok_or_else(|| {
            error(
                ErrorCode::NotFound,
                format!("No widget \"{widget}\" is configured."),
            )
        })?;
        if proactive && !widget.proactive {
            return Err(error(
                ErrorCode::InvalidInput,
                "This chat does not invite visitors.",
            ));
        }
        if self.removed.contains(&widget.queue) {
            return Err(error(
                ErrorCode::NotFound,
                "This chat is not available right now.",
            ));
        }
        if customer.name.trim().is_empty()
            || customer.name.chars().count() > MAX_CUSTOMER_NAME_CHARS
        {
            return Err(error(
                ErrorCode::InvalidInput,
                format!("Please give a name of 1 to {MAX_CUSTOMER_NAME_CHARS} characters."),
            ));
        }
        if customer
            .email
            .as_ref()
            .is_some_and(|email| !email.contains('@') || email.len() > 254)
        {
            return Err(error(
                ErrorCode::InvalidInput,
                "That e-mail address does not look right.",
            ));
        }
        if context.len() > MAX_CONTEXT_VARIABLES {
            return Err(error(
                ErrorCode::InvalidInput,
                format!(
                    "At most {MAX_CONTEXT_VARIABLES} context variables can be passed; got {}.",
                    context.len()
                ),
            ));
        }
        rules::check_message(first_message)?;
        let origin = Origin {
            widget: widget.id.clone(),
            client,
        };
        self.check_room(&widget.queue, &origin)?;
        let stored = |text: &str| self.storable(text).into_owned();
        let customer = Customer {
            name: stored(customer.name.trim()),
            email: customer.email.as_deref().map(stored),
            ..customer
        };
        let context = context
            .into_iter()
            .map(|(name, value)| NamedContextValue {
                name: stored(&name),
                value: ContextValue {
                    value: stored(&value.value),
                    ..value
                },
            })
            .collect();
        let record = ConversationRecord {
            context,
            contact: contact.as_ref().map(|card| card.id.clone()),
            persistent: self.config.is_persistent(widget),
            customer_id,
            widget: Some(widget.id.clone()),
            proactive,
            language,
            ..ConversationRecord::waiting(
                id.clone(),
                Channel::Chat,
                widget.queue.clone(),
                customer,
                first_message,
                now,
            )
        };
        fx.customer(
            &id,
            CustomerEvent::Started {
                conversation: id.clone(),
                token: token.to_owned(),
                persistent: record.persistent,
            },
        );
        self.admit(
            record,
            token_hash,
            contact,
            first_message,
            Vec::new(),
            now,
            fx,
        );
        self.count_waiting(&origin, true);
        self.conversations
            .get_mut(&id)
            .expect("just admitted")
            .origin = Some(origin);
        Ok(())
    }

    /// A customer's SMS or Messenger message: it continues their open conversation with the same
    /// number or page, or starts one in the queue the number or page routes to. Returns the
    /// conversation.
    pub fn inbound(
        &mut self,
        new_id: ConversationId,
        token_hash: String,
        inbound: Inbound,
        contact: Option<ContactCard>,
        now: Millis,
        fx: &mut Effects,
    ) -> Result<ConversationId> {
        inbound.check()?;
        let Inbound {
            channel,
            address,
            queue,
            text,
            attachments,
            customer_name,
            ..
        } = inbound;
        if channel == Channel::Sms
            && let Some(rated) = self.sms_survey_answer(&address, &text, now, fx)
        {
            return Ok(rated);
        }
        if let Some(open) = self.open_with(channel, &address) {
            let name = self.conversations[&open].record.customer.name.clone();
            self.append_with(
                &open,
                Sender::Customer { name },
                &text,
                attachments,
                now,
                fx,
            );
            return Ok(open);
        }
        if self.removed.contains(&queue) || self.config.queue(&queue).is_none() {
            return Err(error(
                ErrorCode::NotFound,
                format!("The queue \"{queue}\" is not served."),
            ));
        }
        let phone = (channel == Channel::Sms).then(|| address.customer.clone());
        let name = match &contact {
            Some(card) => card.name.clone(),
            None if channel == Channel::Sms => address.customer.clone(),
            None => customer_name.unwrap_or_else(|| "Messenger customer".to_owned()),
        };
        let customer = Customer {
            name,
            email: contact.as_ref().and_then(|card| card.email.clone()),
            phone: phone.or_else(|| contact.as_ref().and_then(|card| card.phone.clone())),
        };
        let record = ConversationRecord {
            contact: contact.as_ref().map(|card| card.id.clone()),
            address: Some(address),
            ..ConversationRecord::waiting(new_id.clone(), channel, queue, customer, &text, now)
        };
        self.admit(record, token_hash, contact, &text, attachments, now, fx);
        Ok(new_id)
    }

    /// The open conversation of a channel between these two ends, unless it only waits for its
    /// wrap-up: a message after that starts a new one.
    pub(super) fn open_with(
        &self,
        channel: Channel,
        address: &ChannelAddress,
    ) -> Option<ConversationId> {
        self.conversations
            .values()
            .find(|c| {
                c.record.channel == channel
                    && c.record.address.as_ref() == Some(address)
                    && !matches!(c.record.status, Status::WrapUp { .. })
            })
            .map(|c| c.record.id.clone())
    }

    /// Opens a conversation with the customer's first message and queues it.
    #[allow(clippy::too_many_arguments)]
    fn admit(
        &mut self,
        record: ConversationRecord,
        token_hash: String,
        contact: Option<ContactCard>,
        first_message: &str,
        attachments: Vec<Attachment>,
        now: Millis,
        fx: &mut Effects,
    ) {
        let mut record = record;
        record.comment = self.storable(&record.comment).into_owned();
        // A workstream with a bot lets it answer first.
        record.with_bot = self.config.workstream(record.channel).bot.is_some();
        let id = record.id.clone();
        let queue = record.queue.clone();
        let customer_name = record.customer.name.clone();
        let with_bot = record.with_bot;
        fx.created.push((record.clone(), token_hash));
        self.conversations.insert(
            id.clone(),
            Conversation {
                record,
                history: Default::default(),
                customer_wrote_at: None,
                offer: None,
                rejected_by: HashSet::new(),
                told_position: None,
                contact,
                origin: None,
                customer_away_since: None,
            },
        );
        self.append_with(
            &id,
            Sender::Customer {
                name: customer_name,
            },
            first_message,
            attachments,
            now,
            fx,
        );
        if !with_bot {
            self.queues.entry(queue).or_default().push_back(id);
            self.dispatch(now, fx);
        }
    }

    /// Gives an open conversation its contact's card (loaded from the store after a restart).
    pub fn attach_contact(&mut self, id: &ConversationId, card: ContactCard) {
        if let Some(conversation) = self.conversations.get_mut(id) {
            conversation.contact = Some(card);
        }
    }

    pub fn customer_message(
        &mut self,
        id: &ConversationId,
        text: &str,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        self.customer_message_with_files(id, text, Vec::new(), now, fx)
    }

    /// A customer's message with files uploaded into the conversation (its text may then be empty).
    pub fn customer_message_with_files(
        &mut self,
        id: &ConversationId,
        text: &str,
        files: Vec<Attachment>,
        now: Millis,
        fx: &mut Effects,
    ) -> Result {
        rules::check_message_with_files(text, files.len())?;
        let conversation = self.open_conversation(id)?;
        if matches!(conversation.record.status, Status::WrapUp { .. }) {
            return Err(error(
                ErrorCode::InvalidState,
                "This conversation has ended.",
            ));
        }
        let name = conversation.record.customer.name.clone();
        let parked_with = match &conversation.record.status {
            Status::Parked { agent, .. } => Some(agent.clone()),
            _ => None,
        };
        self.append_with(id, Sender::Customer { name }, text, files, now, fx);
        if let Some(agent) = parked_with {
            self.customer_returned(id, agent, now, fx);
        }
        Ok(())
    }

    /// The customer ends the chat from the widget.
    pub fn customer_end(&mut self, id: &ConversationId, now: Millis, fx: &mut Effects) -> Result {
        let conversation = self.open_conversation(id)?;
        if conversation.record.persistent {
            return Err(error(
                ErrorCode::InvalidState,
                "This conversation stays open: write again whenever you like.",
            ));
        }
        match conversation.record.status.clone() {
            Status::Waiting { .. } | Status::Parked { .. } => {
                if conversation.offer.is_some() {
                    self.withdraw_offer(id, WithdrawReason::CustomerLeft, now, fx);
                }
                self.remove_from_queue(id);
                self.close(id, EndedBy::Customer, None, now, fx);
            }
            Status::Held { agent, accepted_at } => {
                if self.conversations[id].offer.is_some() {
                    self.withdraw_offer(id, WithdrawReason::CustomerLeft, now, fx);
                }
                self.append(id, Sender::System, CUSTOMER_ENDED, now, fx);
                // Only the holder wraps up; agents in conference are released.
                self.release_guests(id, now, fx);
                let ended_by = EndedBy::Customer;
                self.set_status(
                    id,
                    Status::WrapUp {
                        agent: agent.clone(),
                        accepted_at,
                        ended_by,
                    },
                    fx,
                );
                fx.state(&agent, id, InteractionState::WrapUp { ended_by });
                self.tell_customer(id, CustomerEvent::Ended { by: ended_by }, fx);
            }
            Status::WrapUp { .. } | Status::Closed { .. } => {
                return Err(error(
                    ErrorCode::InvalidState,
                    "This conversation has already ended.",
                ));
            }
        }
        self.dispatch(now, fx);
        Ok(())
    }
}

impl ConversationRecord {
    /// A conversation just started, waiting in `queue`, with nothing more known about it.
    pub(super) fn waiting(
        id: ConversationId,
        channel: Channel,
        queue: QueueId,
        customer: Customer,
        first_message: &str,
        now: Millis,
    ) -> ConversationRecord {
        ConversationRecord {
            id,
            channel,
            queue,
            customer,
            context: Vec::new(),
            proactive: false,
            started_at: now,
            comment: first_message.to_owned(),
            status: Status::Waiting { since: now },
            conference: Vec::new(),
            monitors: Vec::new(),
            interrupted: None,
            next_message: 1,
            next_fact: 0,
            contact: None,
            address: None,
            receipts: Default::default(),
            received_by_agents: 0,
            language: None,
            escalation: None,
            with_bot: false,
            persistent: false,
            customer_id: None,
            widget: None,
            returning: None,
            offered_to: None,
            handover_note: None,
            survey: None,
        }
    }

    /// Since when the customer has been waiting (their start, for a conversation never held).
    pub(super) fn started_at_waiting(&self) -> Millis {
        match self.status {
            Status::Waiting { since } => since,
            _ => self.started_at,
        }
    }
}
