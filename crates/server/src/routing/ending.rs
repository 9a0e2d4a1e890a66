//! Conversations ended by the system rather than by their agent or customer: by an
//! administrator, or because their queue was removed. One waiting ends at once; one held is
//! interrupted — its agents see why and can only end it, with a wrap-up reason — and its customer
//! is told it ended either way.

use serde::{Deserialize, Serialize};
use switchboard_protocol::agent::{InteractionState, WithdrawReason};
use switchboard_protocol::customer::CustomerEvent;
use switchboard_protocol::{ConversationId, EndedBy, ErrorCode, Millis};

use super::{Effects, Result, Router, Status, error};

/// What ending a conversation did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// It was waiting (or parked): it ended.
    Ended,
    /// It was held: its agents were told why, and wrap it up.
    Interrupted,
    /// It had ended; only its wrap-up was left.
    AlreadyEnded,
}

impl Router {
    /// An administrator ends conversation `id`.
    pub fn end_by_administrator(
        &mut self,
        id: &ConversationId,
        now: Millis,
        fx: &mut Effects,
    ) -> Result<Ending> {
        if !self.conversations.contains_key(id) {
            let message = format!("No open conversation {id}.");
            return Err(error(ErrorCode::NotFound, message));
        }
        let ending = self.end_by_system(id, "an administrator ended it", now, fx);
        self.dispatch(now, fx);
        Ok(ending)
    }

    /// Ends open conversation `id` for `reason`.
    pub(super) fn end_by_system(
        &mut self,
        id: &ConversationId,
        reason: &str,
        now: Millis,
        fx: &mut Effects,
    ) -> Ending {
        if self.conversations[id].offer.is_some() {
            self.withdraw_offer(id, WithdrawReason::Interrupted, now, fx);
        }
        let by_system = CustomerEvent::Ended {
            by: EndedBy::System,
        };
        match self.conversations[id].record.status.clone() {
            Status::Waiting { .. } | Status::Parked { .. } => {
                self.remove_from_queue(id);
                self.tell_customer(id, by_system, fx);
                self.close(id, EndedBy::System, None, now, fx);
                Ending::Ended
            }
            Status::Held { .. } => {
                let record = &mut self.conversations.get_mut(id).expect("open").record;
                record.interrupted = Some(reason.to_owned());
                fx.touch(record);
                let state = InteractionState::Interrupted {
                    reason: reason.to_owned(),
                };
                for agent in self.participants(id) {
                    fx.state(&agent, id, state.clone());
                }
                self.tell_customer(id, by_system, fx);
                Ending::Interrupted
            }
            Status::WrapUp { .. } | Status::Closed { .. } => Ending::AlreadyEnded,
        }
    }
}
