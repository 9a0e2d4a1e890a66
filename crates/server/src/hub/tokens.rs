//! Which conversation a customer's resume token opens, without waiting for the store: tokens
//! given out by this run are remembered here (the journal may not have applied them yet); the
//! store, read as it stands, knows those of earlier runs, all applied before the hub started.

use std::collections::HashMap;

use switchboard_protocol::ConversationId;

use super::Hub;
use crate::routing::ConversationRecord;
use crate::store::{Store, StoreError};

/// The resume tokens (by hash) this run gave out, and each conversation's current one.
#[derive(Debug, Default)]
pub(super) struct Tokens {
    by_hash: HashMap<String, ConversationId>,
    current: HashMap<ConversationId, String>,
}

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
