//! Masking at the server (SPEC §5): with `[desktop] masking` on, every customer-provided text on
//! an agent stream — offers, snapshots with their history and contact card, messages, context
//! variables, notices — is masked before it is stored in the outbox or leaves the server, so
//! that no client, however it is built, reads a card number in clear. The desk core masks again.
//! (With `[privacy] store_payment_data` off, routing masks payment data in every message and
//! chat request before anything stores or logs it.)

use switchboard_mask::Masker;
use switchboard_protocol::agent::{
    AgentEvent, ContactCard, ConversationSnapshot, Customer, NamedContextValue, Offer,
    PastConversation, SearchResult,
};
use switchboard_protocol::live::LiveConversation;
use switchboard_protocol::{ChatMessage, Sender};

/// Masks `text` in place, allocating only when something is found.
pub fn mask_in_place(masker: &Masker, text: &mut String) {
    if let std::borrow::Cow::Owned(masked) = masker.mask(text) {
        *text = masked;
    }
}

fn mask_option(masker: &Masker, text: &mut Option<String>) {
    if let Some(text) = text {
        mask_in_place(masker, text);
    }
}

/// Masks everything customer-provided in an event for an agent.
pub fn agent_event(masker: &Masker, event: &mut AgentEvent) {
    match event {
        AgentEvent::Offer { offer } => self::offer(masker, offer),
        AgentEvent::Snapshot { conversation } => snapshot(masker, conversation),
        AgentEvent::Message { message } => self::message(masker, message),
        AgentEvent::Notice { text, .. } => mask_in_place(masker, text),
        AgentEvent::Presence { .. }
        | AgentEvent::PresenceSetBy { .. }
        | AgentEvent::Profile { .. }
        | AgentEvent::OfferWithdrawn { .. }
        | AgentEvent::State { .. }
        | AgentEvent::Receipts { .. }
        | AgentEvent::Closed { .. } => {}
    }
}

/// Masks what the customer gave in a live view's conversation (their name).
pub fn live_conversation(masker: &Masker, conversation: &mut LiveConversation) {
    mask_in_place(masker, &mut conversation.customer_name);
}

fn offer(masker: &Masker, offer: &mut Offer) {
    mask_in_place(masker, &mut offer.customer_name);
    mask_in_place(masker, &mut offer.comment);
    context(masker, &mut offer.context);
}

fn snapshot(masker: &Masker, snapshot: &mut ConversationSnapshot) {
    customer(masker, &mut snapshot.customer);
    for message in &mut snapshot.history {
        self::message(masker, message);
    }
    context(masker, &mut snapshot.context);
    if let Some(card) = &mut snapshot.contact {
        contact(masker, card);
    }
}

/// A customer's details; also what a customer sends when a chat starts.
pub fn customer(masker: &Masker, customer: &mut Customer) {
    mask_in_place(masker, &mut customer.name);
    mask_option(masker, &mut customer.email);
    mask_option(masker, &mut customer.phone);
}

/// A message's text and its sender's name when that is the customer; attachment links and file
/// names too.
pub fn message(masker: &Masker, message: &mut ChatMessage) {
    mask_in_place(masker, &mut message.text);
    if let Sender::Customer { name } = &mut message.from {
        mask_in_place(masker, name);
    }
    for attachment in &mut message.attachments {
        mask_in_place(masker, &mut attachment.url);
        if let Some(file) = &mut attachment.file {
            mask_in_place(masker, &mut file.name);
        }
    }
}

/// A search's result: the customer, the conversation's first message and the matching text.
pub fn search_result(masker: &Masker, result: &mut SearchResult) {
    customer(masker, &mut result.customer);
    past_conversation(masker, &mut result.conversation);
    mask_in_place(masker, &mut result.excerpt);
}

/// An ended conversation: its first message and the customer's survey comment.
fn past_conversation(masker: &Masker, past: &mut PastConversation) {
    mask_in_place(masker, &mut past.comment);
    if let Some(survey) = &mut past.survey {
        mask_in_place(masker, &mut survey.comment);
    }
}

/// Context variables, names and values alike.
pub fn context(masker: &Masker, context: &mut [NamedContextValue]) {
    for variable in context {
        mask_in_place(masker, &mut variable.name);
        mask_in_place(masker, &mut variable.value.value);
    }
}

fn contact(masker: &Masker, card: &mut ContactCard) {
    mask_in_place(masker, &mut card.name);
    mask_option(masker, &mut card.email);
    mask_option(masker, &mut card.phone);
    mask_option(masker, &mut card.notes);
    mask_option(masker, &mut card.external_id);
    for past in &mut card.recent {
        past_conversation(masker, past);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_data_is_cards_ibans_and_ssns_only() {
        let masker = Masker::new(switchboard_mask::KindSet::PAYMENT);
        let mut text = "card 4111 1111 1111 1111, mail ann@example.com".to_owned();
        mask_in_place(&masker, &mut text);
        assert!(!text.contains("4111 1111 1111 1111"), "{text}");
        assert!(text.contains("ann@example.com"), "{text}");
    }
}
