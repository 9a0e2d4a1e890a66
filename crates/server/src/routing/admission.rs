//! Room for one more waiting chat: at most `[limits] waiting_per_queue` conversations wait in a
//! queue, `waiting_per_widget` live chats from one widget, and `waiting_per_address` from one
//! client address. Past any of them the customer is told plainly that the service is busy, and
//! nothing is started. Chats waiting per widget and per address are counted as their status
//! changes, so that admitting one costs the same however many wait.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

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
        let from_widget = self
            .waiting
            .by_widget
            .get(&origin.widget)
            .copied()
            .unwrap_or(0);
        let from_client = origin
            .client
            .and_then(|client| self.waiting.by_client.get(&client).copied())
            .unwrap_or(0);
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

/// Live chats waiting, per widget and per client address.
#[derive(Debug, Default)]
pub(super) struct Waiting {
    by_widget: HashMap<String, usize>,
    by_client: HashMap<IpAddr, usize>,
}

impl Router {
    /// A chat from `origin` starts (`true`) or stops waiting.
    pub(super) fn count_waiting(&mut self, origin: &Origin, waiting: bool) {
        fn count<K: Eq + std::hash::Hash>(counts: &mut HashMap<K, usize>, key: K, waiting: bool) {
            let entry = counts.entry(key).or_insert(0);
            if waiting {
                *entry += 1;
            } else {
                *entry = entry.saturating_sub(1);
            }
        }
        count(&mut self.waiting.by_widget, origin.widget.clone(), waiting);
        if let Some(client) = origin.client {
            count(&mut self.waiting.by_client, client, waiting);
            if self.waiting.by_client.get(&client) == Some(&0) {
                self.waiting.by_client.remove(&client);
            }
        }
    }
}
