//! The embedded SQLite store: one file under the data directory, WAL mode, migrations applied at
//! open.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use sqlx::{QueryBuilder, Row, Sqlite, Transaction};
use switchboard_protocol::agent::Role;
use switchboard_protocol::rules::HISTORY_PAGE;
use switchboard_protocol::{AgentId, ChatMessage, ConversationId, Millis, QueueId, Seq};

use super::rows::{AGENT_COLUMNS, AgentRow, Writes, agent, json, parse, threads};
use super::{AgentRecord, Batch, ConversationRecord, Store, StoreError, StoreResult};
use crate::config::Durability;
use crate::private;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

fn failed(error: impl Into<StoreError>) -> StoreError {
    error.into()
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
        SqliteStore::open_with(path, Durability::Power).await
    }

    /// [`SqliteStore::open`]: with [`Durability::Power`] each commit is synced to the disk (the
    /// journal deletes what the database holds only once it is safe there).
    pub async fn open_with(path: &Path, durability: Durability) -> StoreResult<SqliteStore> {
        if let Some(dir) = path.parent() {
            private::create_dir(dir).map_err(|e| failed(e).context(dir.display()))?;
        }
        private::touch(path).map_err(|e| failed(e).context(path.display()))?;
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(failed)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL survives a process crash (the case `kill -9` tests); a power loss
            // may lose the last transactions. FULL syncs the log at each commit: the journal
            // applies every few seconds, so it costs one sync each time.
            .synchronous(match durability {
                Durability::Power => SqliteSynchronous::Full,
                Durability::Process => SqliteSynchronous::Normal,
            })
            .busy_timeout(Duration::from_secs(5))
            // The journal applies a second of steps at once, touching pages all over the
            // indexes: with SQLite's default 2 MiB cache, a commit spills dirty pages to the log
            // and reads them back. 32 MiB holds a busy second's working set.
            .pragma("cache_size", "-32768")
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(failed)?;
        // Another process (an admin command beside a starting server) may open the same new
        // database at the same moment: migrations run under an exclusive file lock.
        let lock_path = path.with_extension("migrating");
        let lock =
            private::create_file(&lock_path).map_err(|e| failed(e).context(lock_path.display()))?;
        lock.lock()
            .map_err(|e| failed(e).context(lock_path.display()))?;
        let migrated = MIGRATIONS.run(&pool).await.map_err(failed);
        drop(lock);
        migrated?;
        Ok(SqliteStore { pool })
    }

    pub(super) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn write(
        tx: &mut Transaction<'_, Sqlite>,
        batch: &Batch,
        now: Millis,
    ) -> sqlx::Result<()> {
        // Inserts skip rows already there: a batch applied again (a journal replayed after a
        // crash) changes nothing.
        for (record, token_hash) in &batch.new_conversations {
            sqlx::query(
                "INSERT OR IGNORE INTO conversations (id, token_hash, record, open, contact_id) VALUES (?, ?, ?, 1, ?)",
            )
            .bind(&record.id.0)
            .bind(token_hash)
            .bind(json(record))
            .bind(record.contact.as_ref().map(|c| &c.0))
            .execute(&mut **tx)
            .await?;
        }
        let writes = Writes::of(batch);
        for record in &writes.conversations {
            sqlx::query(
                "UPDATE conversations SET record = ?, open = ?, contact_id = ? WHERE id = ?",
            )
            .bind(json(record))
            .bind(record.is_open())
            .bind(record.contact.as_ref().map(|c| &c.0))
            .bind(&record.id.0)
            .execute(&mut **tx)
            .await?;
        }
        for (conversation, token_hash) in &writes.tokens {
            sqlx::query("UPDATE conversations SET token_hash = ? WHERE id = ?")
                .bind(token_hash)
                .bind(&conversation.0)
                .execute(&mut **tx)
                .await?;
        }
        for (agent, presence, since) in &writes.presences {
            sqlx::query("UPDATE agents SET presence = ?, presence_since = ? WHERE id = ?")
                .bind(json(presence))
                .bind(*since as i64)
                .bind(&agent.0)
                .execute(&mut **tx)
                .await?;
        }
        // Rows of the busy tables go in multi-row statements: one round trip per few hundred.
        for rows in cached_chunks(&batch.messages) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT OR IGNORE INTO messages (conversation_id, id, body) ",
            );
            insert.push_values(rows, |mut row, message| {
                row.push_bind(message.conversation.0.clone())
                    .push_bind(message.id as i64)
                    .push_bind(json(message));
            });
            insert.build().execute(&mut **tx).await?;
        }
        for rows in cached_chunks(&batch.facts) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT OR IGNORE INTO facts (conversation_id, number, at, body) ",
            );
            insert.push_values(rows, |mut row, fact| {
                row.push_bind(fact.conversation.0.clone())
                    .push_bind(fact.number as i64)
                    .push_bind(fact.at as i64)
                    .push_bind(json(fact));
            });
            insert.build().execute(&mut **tx).await?;
        }
        // In the batch's order, which is the order the steps were taken.
        for rows in cached_chunks(&batch.webhook_events) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT OR IGNORE INTO webhook_events (event_id, source, subject, body) ",
            );
            insert.push_values(rows, |mut row, event| {
                row.push_bind(event.id.clone())
                    .push_bind(event.source.clone())
                    .push_bind(event.subject.clone())
                    .push_bind(event.body.clone());
            });
            insert.build().execute(&mut **tx).await?;
        }
        for rows in cached_chunks(&writes.unacknowledged) {
            let mut insert =
                QueryBuilder::<Sqlite>::new("INSERT OR IGNORE INTO outbox (stream, seq, event) ");
            insert.push_values(rows, |mut row, (stream, seq, event)| {
                row.push_bind(stream.as_str())
                    .push_bind(*seq as i64)
                    .push_bind(event.as_str());
            });
            insert.build().execute(&mut **tx).await?;
        }
        for rows in cached_chunks(&writes.heads) {
            let mut upsert =
                QueryBuilder::<Sqlite>::new("INSERT INTO stream_heads (stream, last_seq) ");
            upsert.push_values(rows, |mut row, (stream, seq)| {
                row.push_bind(stream.to_string()).push_bind(*seq as i64);
            });
            upsert.push(
                " ON CONFLICT (stream) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)",
            );
            upsert.build().execute(&mut **tx).await?;
        }
        for rows in cached_chunks(&writes.replies) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT OR REPLACE INTO replies (stream, command_id, reply, created_at) ",
            );
            insert.push_values(rows, |mut row, (stream, command, reply)| {
                row.push_bind(stream.clone())
                    .push_bind(command.clone())
                    .push_bind(reply.clone())
                    .push_bind(now as i64);
            });
            insert.build().execute(&mut **tx).await?;
        }
        for queue in &batch.removed_queues {
            sqlx::query("INSERT OR IGNORE INTO removed_queues (id, removed_at) VALUES (?, ?)")
                .bind(&queue.0)
                .bind(now as i64)
                .execute(&mut **tx)
                .await?;
        }
        // One statement per few hundred acknowledged streams, each deleting what it applied.
        for rows in cached_chunks(&writes.acknowledged) {
            let mut delete = QueryBuilder::<Sqlite>::new(
                "DELETE FROM outbox WHERE rowid IN (SELECT outbox.rowid FROM (",
            );
            delete.push_values(rows, |mut row, (stream, seq)| {
                row.push_bind(*stream).push_bind(*seq as i64);
            });
            delete.push(
                ") AS acked JOIN outbox ON outbox.stream = acked.column1 AND outbox.seq <= acked.column2)",
            );
            delete.build().execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// The most rows one multi-row statement carries: well under SQLite's limit of bound parameters.
const MAX_ROWS_PER_STATEMENT: usize = 256;

/// Splits `rows` into chunks whose sizes are powers of two (largest first). A multi-row
/// statement's text depends on its row count; with power-of-two counts each table needs at most
/// nine distinct statements, which stay prepared in the connection's statement cache instead of
/// being parsed again on every commit.
fn cached_chunks<T>(rows: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = rows;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let size = MAX_ROWS_PER_STATEMENT.min(1 << rest.len().ilog2());
        let (chunk, remaining) = rest.split_at(size);
        rest = remaining;
        Some(chunk)
    })
}

impl Store for SqliteStore {
    async fn agents(&self) -> StoreResult<Vec<AgentRecord>> {
        let rows = sqlx::query_as::<_, AgentRow>(&format!(
            "SELECT {AGENT_COLUMNS} FROM agents ORDER BY email"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(failed)?;
        rows.into_iter().map(agent).collect()
    }

    async fn agent_by_email(&self, email: &str) -> StoreResult<Option<AgentRecord>> {
        let row = sqlx::query_as::<_, AgentRow>(&format!(
            "SELECT {AGENT_COLUMNS} FROM agents WHERE email = ?"
        ))
        .bind(email.trim())
        .fetch_optional(&self.pool)
        .await
        .map_err(failed)?;
        row.map(agent).transpose()
    }

    async fn insert_agent(&self, agent: &AgentRecord) -> StoreResult<()> {
        sqlx::query(&format!(
            "INSERT INTO agents ({AGENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(&agent.id.0)
        .bind(&agent.email)
        .bind(&agent.name)
        .bind(&agent.password_hash)
        .bind(json(&agent.queues))
        .bind(agent.capacity.map(i64::from))
        .bind(json(&agent.presence))
        .bind(agent.presence_since as i64)
        .bind(agent.role.to_string())
        .execute(&self.pool)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Constraint(
                format!("an agent with e-mail {} already exists", agent.email),
            ),
            other => failed(other),
        })?;
        Ok(())
    }

    async fn set_password(&self, agent: &AgentId, hash: &str) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE agents SET password_hash = ? WHERE id = ?")
            .bind(hash)
            .bind(&agent.0)
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        // A new password signs every desktop out.
        self.end_sessions(agent).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_agent_work(
        &self,
        agent: &AgentId,
        name: &str,
        queues: &[QueueId],
        capacity: Option<u32>,
    ) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE agents SET name = ?, queues = ?, capacity = ? WHERE id = ?")
            .bind(name)
            .bind(json(&queues))
            .bind(capacity.map(i64::from))
            .bind(&agent.0)
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_role(&self, agent: &AgentId, role: Role) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE agents SET role = ? WHERE id = ?")
            .bind(role.to_string())
            .bind(&agent.0)
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove_agent(&self, agent: &AgentId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM agents WHERE id = ?")
            .bind(&agent.0)
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        Ok(done.rows_affected() == 1)
    }

    async fn create_session(
        &self,
        token_hash: &str,
        agent: &AgentId,
        expires_at: Millis,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (token_hash, agent_id, expires_at) VALUES (?, ?, ?)")
            .bind(token_hash)
            .bind(&agent.0)
            .bind(expires_at as i64)
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn session_agent(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<(AgentId, Millis)>> {
        let row = sqlx::query(
            "SELECT agent_id, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?",
        )
        .bind(token_hash)
        .bind(now as i64)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed)?;
        Ok(row.map(|row| {
            let expires_at: i64 = row.get("expires_at");
            (AgentId(row.get("agent_id")), expires_at as Millis)
        }))
    }

    async fn end_session(&self, token_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        Ok(done.rows_affected() == 1)
    }

    async fn end_sessions(&self, agent: &AgentId) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE agent_id = ?")
            .bind(&agent.0)
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn open_conversations(&self) -> StoreResult<Vec<(ConversationRecord, Vec<ChatMessage>)>> {
        let records: Vec<String> =
            sqlx::query_scalar("SELECT record FROM conversations WHERE open = 1 ORDER BY rowid")
                .fetch_all(&self.pool)
                .await
                .map_err(failed)?;
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM (SELECT m.body, m.conversation_id, m.id, \
             ROW_NUMBER() OVER (PARTITION BY m.conversation_id ORDER BY m.id DESC) AS newer \
             FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.open = 1) \
             WHERE newer <= ? ORDER BY conversation_id, id",
        )
        .bind(HISTORY_PAGE as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(failed)?;
        threads(&records, &bodies)
    }

    async fn messages_before(
        &self,
        conversation: &ConversationId,
        before: u64,
        limit: usize,
    ) -> StoreResult<Vec<ChatMessage>> {
        let rows = sqlx::query(
            "SELECT body FROM messages WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
        )
        .bind(&conversation.0)
        .bind(before as i64)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(failed)?;
        let mut messages = rows
            .iter()
            .map(|row| parse::<ChatMessage>(row.get::<&str, _>("body")))
            .collect::<StoreResult<Vec<_>>>()?;
        messages.reverse();
        Ok(messages)
    }

    async fn conversation_by_token(&self, token_hash: &str) -> StoreResult<Option<ConversationId>> {
        let row = sqlx::query("SELECT id FROM conversations WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed)?;
        Ok(row.map(|row| ConversationId(row.get("id"))))
    }

    async fn stream_heads(&self) -> StoreResult<Vec<(String, Seq)>> {
        let rows = sqlx::query("SELECT stream, last_seq FROM stream_heads")
            .fetch_all(&self.pool)
            .await
            .map_err(failed)?;
        Ok(rows
            .iter()
            .map(|row| (row.get("stream"), row.get::<i64, _>("last_seq") as Seq))
            .collect())
    }

    async fn outbox_after(&self, stream: &str, seq: Seq) -> StoreResult<Vec<(Seq, String)>> {
        let rows =
            sqlx::query("SELECT seq, event FROM outbox WHERE stream = ? AND seq > ? ORDER BY seq")
                .bind(stream)
                .bind(seq as i64)
                .fetch_all(&self.pool)
                .await
                .map_err(failed)?;
        Ok(rows
            .iter()
            .map(|row| (row.get::<i64, _>("seq") as Seq, row.get("event")))
            .collect())
    }

    async fn removed_queues(&self) -> StoreResult<Vec<QueueId>> {
        let rows = sqlx::query("SELECT id FROM removed_queues")
            .fetch_all(&self.pool)
            .await
            .map_err(failed)?;
        Ok(rows.iter().map(|row| QueueId(row.get("id"))).collect())
    }

    async fn replies(&self, stream: &str) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT command_id, reply FROM replies WHERE stream = ? \
             ORDER BY created_at DESC, rowid DESC",
        )
        .bind(stream)
        .fetch_all(&self.pool)
        .await
        .map_err(failed)?;
        Ok(rows
            .iter()
            .map(|row| (row.get("command_id"), row.get("reply")))
            .collect())
    }

    async fn reply(&self, stream: &str, id: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT reply FROM replies WHERE stream = ? AND command_id = ?")
            .bind(stream)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed)?;
        Ok(row.map(|row| row.get("reply")))
    }

    async fn prune_replies(&self, before: Millis) -> StoreResult<()> {
        sqlx::query("DELETE FROM replies WHERE created_at < ?")
            .bind(before as i64)
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn commit(&self, batch: Batch) -> StoreResult<()> {
        self.apply(&batch).await
    }

    async fn apply(&self, batch: &Batch) -> StoreResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(failed)?;
        Self::write(&mut tx, batch, crate::clock::now())
            .await
            .map_err(failed)?;
        tx.commit().await.map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::cached_chunks;

    #[test]
    fn chunks_are_powers_of_two_and_cover_every_row() {
        let rows: Vec<u32> = (0..1000).collect();
        let sizes: Vec<usize> = cached_chunks(&rows).map(<[u32]>::len).collect();
        assert_eq!(sizes, [256, 256, 256, 128, 64, 32, 8]);
        assert_eq!(
            cached_chunks(&rows).flatten().copied().collect::<Vec<_>>(),
            rows
        );
        assert_eq!(cached_chunks::<u32>(&[]).count(), 0);
    }
}
