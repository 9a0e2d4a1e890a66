//! Replies to commands, remembered per stream: a command retried (its reply was lost with the
//! connection) gets the first reply again and changes nothing.

use std::collections::{HashMap, VecDeque};

use switchboard_protocol::Millis;

use super::Hub;
use super::committer::Pending;
use crate::store::{Store, StoreError};

/// Replies remembered per stream; a client retries within a few commands of reconnecting.
const REPLIES_PER_STREAM: usize = 1024;

/// How long stored replies are kept for retries.
pub(super) const REPLY_RETENTION_MILLIS: Millis = 24 * 3_600_000;

/// The replies of one stream, newest last, for answering retried commands.
#[derive(Debug, Default)]
pub(super) struct Replies {
    by_id: HashMap<String, String>,
    order: VecDeque<String>,
}

impl Replies {
    fn remember(&mut self, id: String, reply: String) {
        if self.by_id.insert(id.clone(), reply).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > REPLIES_PER_STREAM {
            if let Some(oldest) = self.order.pop_front() {
                self.by_id.remove(&oldest);
            }
        }
    }
}

impl<S: Store> Hub<S> {
    /// The reply already given to command `id` on `stream`, if it was seen before.
    pub(super) async fn known_reply(
        &mut self,
        stream: &str,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        if !self.replies.contains_key(stream) {
            let mut replies = Replies::default();
            for (id, reply) in self.store.replies(stream).await? {
                replies.remember(id, reply);
            }
            self.replies.insert(stream.to_owned(), replies);
        }
        Ok(self.replies[stream].by_id.get(id).cloned())
    }

    pub(super) fn remember(
        &mut self,
        pending: &mut Pending,
        stream: &str,
        id: &str,
        reply: String,
    ) {
        self.replies
            .entry(stream.to_owned())
            .or_default()
            .remember(id.to_owned(), reply.clone());
        pending
            .batch
            .replies
            .push((stream.to_owned(), id.to_owned(), reply));
    }
}
