//! Replies to commands, remembered per stream: a command retried (its reply was lost with the
//! connection) gets the first reply again and changes nothing. The newest replies are kept
//! whole; every command id seen within the retention is kept as a hash, so that a retry of an
//! older one is answered from the store, and a new command never waits for it.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};

use switchboard_protocol::Millis;

use super::Hub;
use super::committer::Pending;
use crate::store::{Store, StoreError};

/// Replies kept whole per stream; a client retries within a few commands of reconnecting.
const REPLIES_PER_STREAM: usize = 1024;

/// Command ids remembered (hashed, 8 bytes each) per stream: far more than a day's commands of
/// an agent or a conversation; the start stream, shared by every new chat, may reach it.
const IDS_PER_STREAM: usize = 1 << 18;

/// How long stored replies are kept for retries.
pub(super) const REPLY_RETENTION_MILLIS: Millis = 24 * 3_600_000;

/// The replies of one stream: the newest whole, every command id seen as a hash.
#[derive(Debug, Default)]
pub(super) struct Replies {
    by_id: HashMap<String, String>,
    order: VecDeque<String>,
    seen: HashSet<u64>,
    seen_order: VecDeque<u64>,
}

/// What is known of a command id on a stream.
enum Known {
    Reply(String),
    /// Answered, but its reply is no longer kept in memory: the store has it.
    Stored,
    New,
}

fn id_hash(id: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish()
}

impl Replies {
    /// Remembers a reply given now: the newest of the stream.
    fn remember(&mut self, id: String, reply: String) {
        self.see(&id);
        if self.by_id.insert(id.clone(), reply).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > REPLIES_PER_STREAM {
            if let Some(oldest) = self.order.pop_front() {
                self.by_id.remove(&oldest);
            }
        }
    }

    fn see(&mut self, id: &str) {
        let hash = id_hash(id);
        if self.seen.insert(hash) {
            self.seen_order.push_back(hash);
        }
        while self.seen_order.len() > IDS_PER_STREAM {
            if let Some(oldest) = self.seen_order.pop_front() {
                self.seen.remove(&oldest);
            }
        }
    }

    /// The replies a store holds, newest first: the newest kept whole, every id seen.
    fn loaded(stored: Vec<(String, String)>) -> Replies {
        let mut replies = Replies::default();
        // Oldest first, so that the newest end up kept.
        for (id, reply) in stored.into_iter().rev() {
            replies.remember(id, reply);
        }
        replies
    }

    fn known(&self, id: &str) -> Known {
        match self.by_id.get(id) {
            Some(reply) => Known::Reply(reply.clone()),
            None if self.seen.contains(&id_hash(id)) => Known::Stored,
            None => Known::New,
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
            let stored = self.store.replies(stream).await?;
            self.replies
                .insert(stream.to_owned(), Replies::loaded(stored));
        }
        match self.replies[stream].known(id) {
            Known::Reply(reply) => Ok(Some(reply)),
            // A retry of a command long ago (or a hash shared with one): rare, so the store is
            // asked.
            Known::Stored => self.store.reply(stream, id).await,
            Known::New => Ok(None),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_replies_are_kept_whole_and_every_id_is_known() {
        // As the store gives them: newest first.
        let stored: Vec<(String, String)> = (0..REPLIES_PER_STREAM + 10)
            .rev()
            .map(|n| (format!("c{n}"), format!("reply {n}")))
            .collect();
        let replies = Replies::loaded(stored);
        let newest = format!("c{}", REPLIES_PER_STREAM + 9);
        assert!(
            matches!(replies.known(&newest), Known::Reply(reply) if reply.ends_with(&(REPLIES_PER_STREAM + 9).to_string()))
        );
        assert!(matches!(replies.known("c0"), Known::Stored));
        assert!(matches!(replies.known("never-sent"), Known::New));
    }
}
