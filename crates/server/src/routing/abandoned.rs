//! A live chat whose customer has gone — no connection for `[limits] abandoned_after_seconds` —
//! and that no agent has accepted ends by itself, with a line in the thread; an offer made for
//! it is withdrawn without sending its agent to RONA. Persistent chats, SMS and Messenger are
//! exempt: their customers come back whenever they like.

use switchboard_protocol::agent::WithdrawReason;
use switchboard_protocol::{Channel, ConversationId, EndedBy, Millis, Sender};

use super::time::Deadline;
use super::{Effects, Router, Status};

/// The line the thread shows when a waiting customer went away for good.
pub const CUSTOMER_LEFT_WAITING: &str = "The customer left before an agent answered";

impl Router {
    /// The customer's widget is connected to the conversation.
    pub fn customer_connected(&mut self, id: &ConversationId) {
        if let Some(conversation) = self.conversations.get_mut(id) {
            conversation.customer_away_since = None;
        }
    }

    /// The customer's widget went away: a live chat nobody has accepted is abandoned unless the
    /// customer comes back in time.
    pub fn customer_disconnected(&mut self, id: &ConversationId, now: Millis) {
        let Some(conversation) = self.conversations.get_mut(id) else {
            return;
        };
        let record = &conversation.record;
        if record.channel != Channel::Chat || record.persistent {
            return;
        }
        conversation.customer_away_since = Some(now);
        let after = Millis::from(self.config.limits.abandoned_after_seconds) * 1000;
        self.deadlines
            .insert((now + after, Deadline::Abandoned(id.clone())));
    }

    /// Ends the chat if its customer is still away and nobody has accepted it.
    pub(super) fn end_if_abandoned(&mut self, id: &ConversationId, now: Millis, fx: &mut Effects) {
        let after = Millis::from(self.config.limits.abandoned_after_seconds) * 1000;
        let Some(conversation) = self.conversations.get(id) else {
            return;
        };
        let gone = conversation
            .customer_away_since
            .is_some_and(|since| since + after <= now);
        if !gone || !matches!(conversation.record.status, Status::Waiting { .. }) {
            return;
        }
        if conversation.offer.is_some() {
            self.withdraw_offer(id, WithdrawReason::CustomerLeft, now, fx);
        }
        self.remove_from_queue(id);
        self.append(id, Sender::System, CUSTOMER_LEFT_WAITING, now, fx);
        self.close(id, EndedBy::Customer, None, now, fx);
    }
}
