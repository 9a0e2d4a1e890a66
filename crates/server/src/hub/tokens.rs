//! Which conversation a customer's resume token opens, without waiting for the store: tokens
//! given out by this run are remembered here (the journal may not have applied them yet); the
//! store, read as it stands, knows those of earlier runs, all applied before the hub started.

use std::collections::{HashMap, VecDeque};

use switchboard_protocol::{ConversationId, Millis};

use super::Hub;
use crate::routing::ConversationRecord;
use crate::store::{Store, StoreError};

/// The resume tokens (by hash) this run gave out, and each conversation's current one.
#[derive(Debug, Default)]
pub(super) struct Tokens {
    by_hash: HashMap<String, ConversationId>,
    current: HashMap<ConversationId, String>,
    /// Conversations closed, oldest first, with when.
    closed: VecDeque<(Millis, ConversationId)>,
}

/// How long the token of a closed conversation is kept after it closed.
const FORGET_AFTER_MILLIS: Millis = 60_000;

impl Tokens {
    /// Remembers the tokens a step gave out: to new conversations, and new ones replacing old.
    pub(super) fn given(
        &mut self,
        created: &[(ConversationRecord, String)],
        replaced: &[(ConversationId, String)],
    ) {
        let given = created.iter().map(|(record, hash)| (&record.id, hash));
        for (conversation, hash) in given.chain(replaced.iter().map(|(id, hash)| (id, hash))) {
            if let Some(old) = self.current.insert(conversation.clone(), hash.clone()) {
                self.by_hash.remove(&old);
            }
            self.by_hash.insert(hash.clone(), conversation.clone());
        }
    }

    /// Forgets the token of a conversation closed now, a while later: by then the store has it
    /// (the journal applies every few seconds), and its customer coming back still finds the
    /// conversation to learn how it ended.
    pub(super) fn forget(&mut self, conversation: &ConversationId, now: Millis) {
        self.closed.push_back((now, conversation.clone()));
        while let Some((closed_at, _)) = self.closed.front()
            && now.saturating_sub(*closed_at) > FORGET_AFTER_MILLIS
        {
            let (_, conversation) = self.closed.pop_front().expect("just seen");
            if let Some(hash) = self.current.remove(&conversation) {
                self.by_hash.remove(&hash);
            }
        }
    }
}

impl<S: Store> Hub<S> {
    /// The conversation whose current resume token has `hash`.
    pub(super) async fn conversation_by_token(
        &self,
        hash: &str,
    ) -> Result<Option<ConversationId>, StoreError> {
        if let Some(conversation) = self.tokens.by_hash.get(hash) {
            return Ok(Some(conversation.clone()));
        }
        let stored = self.store.conversation_by_token(hash).await?;
        // A token this run replaced may still be in the store until the journal is applied.
        Ok(stored.filter(|conversation| !self.tokens.current.contains_key(conversation)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_conversations_token_is_forgotten_a_minute_later() {
        let mut tokens = Tokens::default();
        let (first, second) = (ConversationId::from("c1"), ConversationId::from("c2"));
        tokens.given(
            &[],
            &[
                (first.clone(), "hash-1".to_owned()),
                (second.clone(), "hash-2".to_owned()),
            ],
        );
        tokens.forget(&first, 1_000);
        assert_eq!(
            tokens.by_hash.get("hash-1"),
            Some(&first),
            "kept for a while"
        );
        tokens.forget(&second, 1_000 + FORGET_AFTER_MILLIS + 1);
        assert!(!tokens.by_hash.contains_key("hash-1"));
        assert!(!tokens.current.contains_key(&first));
        assert_eq!(tokens.by_hash.get("hash-2"), Some(&second));
        assert_eq!(tokens.closed.len(), 1);
    }
}
