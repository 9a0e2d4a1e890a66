//! [`SearchStore`] on PostgreSQL: full-text search over the `search_text` index its triggers keep.

use switchboard_protocol::AgentId;

use super::PostgresStore;
use crate::store::StoreResult;
use crate::store::search::{Found, SearchStore, found, transcript, tsquery};

impl SearchStore for PostgresStore {
    async fn search(
        &self,
        agent: &AgentId,
        words: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Found>> {
        // Each conversation once, with its latest matching text.
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.record, s.text FROM (
                 SELECT DISTINCT ON (conversation_id) conversation_id, text FROM search_text
                 WHERE words @@ to_tsquery('simple', public.unaccent($1)) ORDER BY conversation_id, id DESC) s
             JOIN conversation_agents a ON a.agent_id = $2 AND a.conversation_id = s.conversation_id
             JOIN conversations c ON c.id = s.conversation_id AND NOT c.open
             ORDER BY c.started DESC LIMIT $3",
        )
        .bind(tsquery(words))
        .bind(&agent.0)
        .bind(limit as i64)
        .fetch_all(self.pool())
        .await?;
        found(rows)
    }

    transcript!(
        "SELECT 1 FROM conversations c
         JOIN conversation_agents a ON a.agent_id = $1 AND a.conversation_id = c.id
         WHERE c.id = $2 AND NOT c.open",
        "SELECT body FROM messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2"
    );
}
