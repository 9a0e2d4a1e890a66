//! Search over ended conversations: an agent finds those they took part in (a supervisor,
//! everyone's) by their customer's name, e-mail or phone, or by their messages' words, and reads
//! one's transcript. Nothing on the routing path writes the index: the embedded database keeps it
//! by triggers on the stored rows; PostgreSQL's is kept beside routing (`postgres/search_index.rs`).

use std::future::Future;

use futures_util::TryStreamExt;

use switchboard_protocol::{ChatMessage, ConversationId};

use super::rows::parse;
use super::{ConversationRecord, Journaled, SqliteStore, Store, StoreResult};
use crate::routing::Readable;

/// A conversation found, with the text that matched: a message's, or its customer's details.
pub type Found = (ConversationRecord, String);

pub trait SearchStore {
    /// The ended conversations among `whose` (an agent's own: held, joined or wrote in; or
    /// everyone's) whose messages or customer contain each of `words` as a word's beginning,
    /// newest first, at most `limit`.
    fn search(
        &self,
        whose: &Readable,
        words: &[String],
        limit: usize,
    ) -> impl Future<Output = StoreResult<Vec<Found>>> + Send;
    /// Whether `conversation` is an ended one among `whose`.
    fn may_read(
        &self,
        whose: &Readable,
        conversation: &ConversationId,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// The latest `limit` messages of an ended conversation among `whose`, oldest first; `None`
    /// when there is no such conversation.
    fn transcript(
        &self,
        whose: &Readable,
        conversation: &ConversationId,
        limit: usize,
    ) -> impl Future<Output = StoreResult<Option<Vec<ChatMessage>>>> + Send;
    /// Conversation `id`'s record, open or ended.
    fn conversation(
        &self,
        id: &ConversationId,
    ) -> impl Future<Output = StoreResult<Option<ConversationRecord>>> + Send;
}

/// The agent a search or a read is limited to, as the queries bind it: none for everyone's.
pub(super) fn only_agent(whose: &Readable) -> Option<&str> {
    match whose {
        Readable::TheirOwn(agent) => Some(agent.0.as_str()),
        Readable::Everyone => None,
    }
}

/// The words of a query as the index has them: runs of letters and digits.
pub fn words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An FTS5 query: every word as a word's beginning. Words hold only letters and digits, so
/// quoting them keeps FTS5's operators out.
fn fts5_query(words: &[String]) -> String {
    let terms: Vec<String> = words.iter().map(|word| format!("\"{word}\"*")).collect();
    terms.join(" ")
}

/// Rows of (record, matching text) as found.
pub(super) fn found(rows: Vec<(String, String)>) -> StoreResult<Vec<Found>> {
    rows.into_iter()
        .map(|(record, text)| Ok((parse(&record)?, text)))
        .collect()
}

/// Message bodies, newest first, as a thread: oldest first.
pub(super) fn thread(bodies: Vec<String>) -> StoreResult<Vec<ChatMessage>> {
    bodies.iter().rev().map(|body| parse(body)).collect()
}

/// `SearchStore::may_read`, `transcript` and `conversation` in the store's SQL dialect: whether
/// the conversation is an ended one among those readable (`readable`, bound to the agent — null
/// for everyone's — and the conversation), then its latest messages (`thread`, bound to the
/// conversation and the limit); a conversation's record (`record`, bound to its id).
macro_rules! transcript {
    // `$index`: a method bringing the index of who took part up to date before it is read.
    ($readable:literal, $thread:literal, $record:literal $(, indexed_by: $index:ident)?) => {
        async fn conversation(
            &self,
            id: &switchboard_protocol::ConversationId,
        ) -> $crate::store::StoreResult<Option<$crate::store::ConversationRecord>> {
            let record: Option<String> = sqlx::query_scalar($record)
                .bind(&id.0)
                .fetch_optional(self.pool())
                .await?;
            record
                .map(|record| $crate::store::rows::parse(&record))
                .transpose()
        }

        async fn may_read(
            &self,
            whose: &$crate::routing::Readable,
            conversation: &switchboard_protocol::ConversationId,
        ) -> $crate::store::StoreResult<bool> {
            $(self.$index().await?;)?
            let readable: Option<i32> = sqlx::query_scalar($readable)
                .bind($crate::store::search::only_agent(whose))
                .bind(&conversation.0)
                .fetch_optional(self.pool())
                .await?;
            Ok(readable.is_some())
        }

        async fn transcript(
            &self,
            whose: &$crate::routing::Readable,
            conversation: &switchboard_protocol::ConversationId,
            limit: usize,
        ) -> $crate::store::StoreResult<Option<Vec<switchboard_protocol::ChatMessage>>> {
            if !self.may_read(whose, conversation).await? {
                return Ok(None);
            }
            let bodies: Vec<String> = sqlx::query_scalar($thread)
                .bind(&conversation.0)
                .bind(limit as i64)
                .fetch_all(self.pool())
                .await?;
            $crate::store::search::thread(bodies).map(Some)
        }
    };
}
pub(super) use transcript;

impl SearchStore for SqliteStore {
    async fn search(
        &self,
        whose: &Readable,
        words: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Found>> {
        // Matches newest first, read only as far as `limit` conversations: a word in every
        // conversation costs no more than a rare one.
        let mut matches = sqlx::query_as::<_, (String, String)>(
            "SELECT s.conversation_id, s.text FROM search_text s
             WHERE search_text MATCH ?1
               AND (?2 IS NULL OR EXISTS (SELECT 1 FROM conversation_agents a
                           WHERE a.agent_id = ?2 AND a.conversation_id = s.conversation_id))
               AND EXISTS (SELECT 1 FROM conversations c
                           WHERE c.id = s.conversation_id AND c.open = 0)
             ORDER BY s.rowid DESC",
        )
        .bind(fts5_query(words))
        .bind(only_agent(whose))
        .fetch(self.pool());
        let mut hits: Vec<(String, String)> = Vec::new();
        while hits.len() < limit
            && let Some((conversation, text)) = matches.try_next().await?
        {
            if !hits.iter().any(|(seen, _)| *seen == conversation) {
                hits.push((conversation, text));
            }
        }
        drop(matches);
        let mut found = Vec::with_capacity(hits.len());
        for (conversation, text) in hits {
            let record: Option<String> =
                sqlx::query_scalar("SELECT record FROM conversations WHERE id = ?")
                    .bind(&conversation)
                    .fetch_optional(self.pool())
                    .await?;
            if let Some(record) = record {
                found.push((parse(&record)?, text));
            }
        }
        Ok(found)
    }

    transcript!(
        "SELECT 1 FROM conversations c WHERE c.id = ?2 AND NOT c.open
           AND (?1 IS NULL OR EXISTS (SELECT 1 FROM conversation_agents a
                                      WHERE a.agent_id = ?1 AND a.conversation_id = c.id))",
        "SELECT body FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?",
        "SELECT record FROM conversations WHERE id = ?"
    );
}

/// Searches see every step: what the journal holds is applied first (a search is rare).
impl<S: Store> SearchStore for Journaled<S> {
    async fn conversation(&self, id: &ConversationId) -> StoreResult<Option<ConversationRecord>> {
        self.caught_up().await?;
        self.inner().conversation(id).await
    }

    async fn search(
        &self,
        whose: &Readable,
        words: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Found>> {
        self.caught_up().await?;
        self.inner().search(whose, words, limit).await
    }

    async fn may_read(&self, whose: &Readable, conversation: &ConversationId) -> StoreResult<bool> {
        self.caught_up().await?;
        self.inner().may_read(whose, conversation).await
    }

    async fn transcript(
        &self,
        whose: &Readable,
        conversation: &ConversationId,
        limit: usize,
    ) -> StoreResult<Option<Vec<ChatMessage>>> {
        self.caught_up().await?;
        self.inner().transcript(whose, conversation, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_keeps_only_letters_and_digits_so_no_operator_gets_through() {
        let words = words(r#"Zoë "NEAR(a b)" ann@example.com +1 555-0100 *"#);
        assert_eq!(
            words,
            [
                "Zoë", "NEAR", "a", "b", "ann", "example", "com", "1", "555", "0100"
            ]
        );
        assert_eq!(fts5_query(&words[..2]), r#""Zoë"* "NEAR"*"#);
    }
}
