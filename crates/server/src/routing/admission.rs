//! Room for one more waiting chat: at most `[limits] waiting_per_queue` conversations wait in a
//! queue, `waiting_per_widget` live chats from one widget, and `waiting_per_address` from one
//! client address. Past any of them the customer is told plainly that the service is busy, and
//! nothing is started.

use std::collections::VecDeque;

use switchboard_protocol::{ErrorCode, QueueId};

use super::{Origin, Result, Router, error};

impl Router {
    /// Whether a new live chat from `origin` may wait in `queue`.
    pub(super) fn check_room(&self, queue: &QueueId, origin: &Origin) -> Result {
        let limits = &self.config.limits;
        let busy = || {
            error(
                ErrorCode::Busy,
                "All our agents are busy and many customers are already waiting. Please try again later.",
            )
        };
        let in_queue = self.queues.get(queue).map_or(0, VecDeque::len);
        if in_queue >= limits.waiting_per_queue as usize {
            return Err(busy());
        }
        // Queues are bounded by the limit above, so counting what waits in them stays cheap.
        let (mut from_widget, mut from_client) = (0, 0);
        let waiting = self
            .queues
            .values()
            .flatten()
            .filter_map(|id| self.conversations.get(id)?.origin.as_ref());
        for waiting in waiting {
            from_widget += usize::from(waiting.widget == origin.widget);
            from_client += usize::from(origin.client.is_some() && waiting.client == origin.client);
        }
        if from_widget >= limits.waiting_per_widget as usize {
            return Err(busy());
        }
        if from_client >= limits.waiting_per_address as usize {
            return Err(error(
                ErrorCode::Busy,
                "You already have chats waiting for an agent; please wait in one of them.",
            ));
        }
        Ok(())
    }
}
