//! Search over ended conversations: an agent finds those they took part in by their customer's
//! name, e-mail or phone, or by their messages' words, and reads one's transcript. The index is
//! kept by the database itself (triggers on the stored rows, see the migrations), so nothing on
//! the routing path writes it.

use std::future::Future;

use futures_util::TryStreamExt;

use switchboard_protocol::{AgentId, ChatMessage, ConversationId};

use super::rows::parse;
use super::{ConversationRecord, Journaled, SqliteStore, Store, StoreResult};

/// A conversation found, with the text that matched: a message's, or its customer's details.
pub type Found = (ConversationRecord, String);

pub trait SearchStore {
    /// The ended conversations `agent` took part in (held, joined or wrote in) whose messages or
    /// customer contain each of `words` as a word's beginning, newest first, at most `limit`.
    fn search(
        &self,
        agent: &AgentId,
        words: &[String],
        limit: usize,
    ) -> impl Future<Output = StoreResult<Vec<Found>>> + Send;
    /// Whether `conversation` is an ended one `agent` took part in.
    fn took_part(
        &self,
        agent: &AgentId,
        conversation: &ConversationId,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// The latest `limit` messages of an ended conversation `agent` took part in, oldest first;
    /// `None` when there is no such conversation for them.
    fn transcript(
        &self,
        agent: &AgentId,
        conversation: &ConversationId,
        limit: usize,
    ) -> impl Future<Output = StoreResult<Option<Vec<ChatMessage>>>> + Send;
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

/// A PostgreSQL `tsquery`: every word as a word's beginning.
pub(super) fn tsquery(words: &[String]) -> String {
    let terms: Vec<String> = words.iter().map(|word| format!("'{word}':*")).collect();
    terms.join(" & ")
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

/// `SearchStore::took_part` and `transcript` in the store's SQL dialect: whether the
/// conversation is an ended one of the agent's (`theirs`, bound to the agent and the
/// conversation), then its latest messages (`thread`, bound to the conversation and the limit).
macro_rules! transcript {
    ($theirs:literal, $thread:literal) => {
        async fn took_part(
            &self,
            agent: &switchboard_protocol::AgentId,
            conversation: &switchboard_protocol::ConversationId,
        ) -> $crate::store::StoreResult<bool> {
            let theirs: Option<i32> = sqlx::query_scalar($theirs)
                .bind(&agent.0)
                .bind(&conversation.0)
                .fetch_optional(self.pool())
                .await?;
            Ok(theirs.is_some())
        }

        async fn transcript(
            &self,
            agent: &switchboard_protocol::AgentId,
            conversation: &switchboard_protocol::ConversationId,
            limit: usize,
        ) -> $crate::store::StoreResult<Option<Vec<switchboard_protocol::ChatMessage>>> {
            if !self.took_part(agent, conversation).await? {
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
        agent: &AgentId,
        words: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Found>> {
        // Matches newest first, read only as far as `limit` conversations: a word in every
        // conversation costs no more than a rare one.
        let mut matches = sqlx::query_as::<_, (String, String)>(
            "SELECT s.conversation_id, s.text FROM search_text s
             WHERE search_text MATCH ?1
               AND EXISTS (SELECT 1 FROM conversation_agents a
                           WHERE a.agent_id = ?2 AND a.conversation_id = s.conversation_id)
               AND EXISTS (SELECT 1 FROM conversations c
                           WHERE c.id = s.conversation_id AND c.open = 0)
             ORDER BY s.rowid DESC",
        )
        .bind(fts5_query(words))
        .bind(&agent.0)
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
        "SELECT 1 FROM conversations c
         JOIN conversation_agents a ON a.agent_id = ? AND a.conversation_id = c.id
         WHERE c.id = ? AND NOT c.open",
        "SELECT body FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?"
    );
}

/// Searches see every step: what the journal holds is applied first (a search is rare).
impl<S: Store> SearchStore for Journaled<S> {
    async fn search(
        &self,
        agent: &AgentId,
        words: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Found>> {
        self.caught_up().await?;
        self.inner().search(agent, words, limit).await
    }

    async fn took_part(&self, agent: &AgentId, conversation: &ConversationId) -> StoreResult<bool> {
        self.caught_up().await?;
        self.inner().took_part(agent, conversation).await
    }

    async fn transcript(
        &self,
        agent: &AgentId,
        conversation: &ConversationId,
        limit: usize,
    ) -> StoreResult<Option<Vec<ChatMessage>>> {
        self.caught_up().await?;
        self.inner().transcript(agent, conversation, limit).await
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
        assert_eq!(tsquery(&words[..2]), "'Zoë':* & 'NEAR':*");
    }
}
