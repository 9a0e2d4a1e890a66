//! The values routing shows agents: an offer, a conversation's snapshot, a queue's summary.

use switchboard_protocol::agent::{
    ConversationSnapshot, InteractionState, Offer, QueueSummary, Scenario,
};
use switchboard_protocol::{Channel, ConversationId, QueueId};

use super::{Escalation, Status};
use super::{OfferKind, Router};

impl Router {
    pub(super) fn offer_for(&self, id: &ConversationId) -> Offer {
        let conversation = &self.conversations[id];
        let record = &conversation.record;
        Offer {
            conversation: id.clone(),
            channel: record.channel,
            scenario: match (
                conversation.offer.as_ref().map(|offer| &offer.kind),
                &record.escalation,
                record.channel,
            ) {
                (Some(OfferKind::Transfer { .. }), ..) => Scenario::Transferred,
                (Some(OfferKind::Conference { .. }), ..) => Scenario::Conference,
                (_, Some(Escalation { from_bot: true, .. }), _) => Scenario::EscalatedFromBot,
                (_, Some(_), _) => Scenario::Escalated,
                _ if record.returning.is_some() => Scenario::CustomerReturned,
                (_, None, Channel::Chat) if record.proactive => Scenario::ProactiveAccepted,
                (_, None, Channel::Chat) => Scenario::IncomingChat,
                (_, None, Channel::Sms) => Scenario::IncomingSms,
                (_, None, Channel::Facebook) => Scenario::IncomingFacebook,
            },
            customer_name: record.customer.name.clone(),
            // A transfer's note or an escalation's reason says more than the customer's first
            // words.
            comment: record
                .handover_note
                .clone()
                .or_else(|| record.escalation.as_ref().map(|e| e.reason.clone()))
                .unwrap_or_else(|| record.comment.clone()),
            queue: self.queue_summary(&record.queue),
            waiting_since: record.started_at_waiting(),
            expires_at: conversation
                .offer
                .as_ref()
                .map_or(0, |offer| offer.expires_at),
            proactive: record.proactive,
            context: record
                .context
                .iter()
                .filter(|variable| variable.value.displayable)
                .cloned()
                .collect(),
        }
    }

    pub(super) fn snapshot(&self, id: &ConversationId) -> ConversationSnapshot {
        let conversation = &self.conversations[id];
        let record = &conversation.record;
        let (state, accepted_at) = match &record.status {
            Status::Held { accepted_at, .. } if record.interrupted.is_some() => {
                let reason = record.interrupted.clone().unwrap_or_default();
                (InteractionState::Interrupted { reason }, Some(*accepted_at))
            }
            Status::Held { accepted_at, .. } if !record.conference.is_empty() => (
                InteractionState::Conference {
                    agents: self.participants(id),
                },
                Some(*accepted_at),
            ),
            Status::Held { accepted_at, .. } => (InteractionState::Active, Some(*accepted_at)),
            Status::WrapUp {
                accepted_at,
                ended_by,
                ..
            } => (
                InteractionState::WrapUp {
                    ended_by: *ended_by,
                },
                Some(*accepted_at),
            ),
            _ => (InteractionState::Active, None),
        };
        ConversationSnapshot {
            id: id.clone(),
            channel: record.channel,
            queue: self.queue_summary(&record.queue),
            customer: record.customer.clone(),
            state,
            proactive: record.proactive,
            persistent: record.persistent,
            started_at: record.started_at,
            accepted_at,
            history: conversation.history.iter().cloned().collect(),
            context: record.context.clone(),
            contact: conversation.contact.clone().map(Box::new),
            receipts: record.receipts,
            language: record.language.clone(),
        }
    }

    pub fn queue_summary(&self, id: &QueueId) -> QueueSummary {
        self.config.queue_summary(id)
    }
}
