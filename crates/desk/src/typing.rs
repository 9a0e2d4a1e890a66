//! When the customer is told the agent is typing: at most every
//! [`TYPING_EVERY_MILLIS`] while the draft changes, and that they stopped once it is empty,
//! sent or left. What the customer's typing shows is the model's.

use std::collections::HashMap;

use switchboard_protocol::rules::TYPING_EVERY_MILLIS;
use switchboard_protocol::{ConversationId, Millis};

/// When each conversation's customer was last told the agent is typing.
#[derive(Debug, Default)]
pub(crate) struct TypingThrottle {
    said_at: HashMap<ConversationId, Millis>,
}

impl TypingThrottle {
    /// The draft in `conversation` changed (`empty`: nothing left in it); says what to tell the
    /// customer now, if anything.
    pub(crate) fn drafted(
        &mut self,
        conversation: &ConversationId,
        empty: bool,
        now: Millis,
    ) -> Option<bool> {
        if empty {
            return self.said_at.remove(conversation).map(|_| false);
        }
        match self.said_at.get(conversation) {
            Some(&at) if now.saturating_sub(at) < TYPING_EVERY_MILLIS as Millis => None,
            _ => {
                self.said_at.insert(conversation.clone(), now);
                Some(true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_is_said_once_per_interval_and_stopped_once() {
        let mut throttle = TypingThrottle::default();
        let c1 = ConversationId::from("c1");
        let c2 = ConversationId::from("c2");
        assert_eq!(throttle.drafted(&c1, true, 0), None, "nothing said yet");
        assert_eq!(throttle.drafted(&c1, false, 1_000), Some(true));
        assert_eq!(throttle.drafted(&c1, false, 2_999), None);
        assert_eq!(
            throttle.drafted(&c2, false, 2_999),
            Some(true),
            "per conversation"
        );
        assert_eq!(throttle.drafted(&c1, false, 3_000), Some(true));
        assert_eq!(throttle.drafted(&c1, true, 3_100), Some(false));
        assert_eq!(throttle.drafted(&c1, true, 3_200), None, "stopped once");
        assert_eq!(
            throttle.drafted(&c1, false, 3_300),
            Some(true),
            "typing again"
        );
    }
}
