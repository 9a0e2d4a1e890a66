//! The embedded SQLite store: one file under the data directory, WAL mode, migrations applied at
//! open.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};
use switchboard_protocol::{AgentId, ChatMessage, ConversationId, Millis, Presence, Seq};

use super::{AgentRecord, Batch, ConversationRecord, Store, StoreError, StoreResult};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

fn failed(error: impl std::fmt::Display) -> StoreError {
    StoreError(error.to_string())
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialize")
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(failed)
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| failed(format!("{}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(failed)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL survives a process crash (the case `kill -9` tests); a power loss
            // may lose the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(failed)?;
        MIGRATIONS.run(&pool).await.map_err(failed)?;
        Ok(SqliteStore { pool })
    }

    fn agent(row: &sqlx::sqlite::SqliteRow) -> StoreResult<AgentRecord> {
        Ok(AgentRecord {
            id: AgentId(row.get("id")),
            email: row.get("email"),
            name: row.get("name"),
            password_hash: row.get("password_hash"),
            queues: parse(row.get::<&str, _>("queues"))?,
            capacity: row.get::<Option<i64>, _>("capacity").map(|c| c as u32),
            presence: parse::<Presence>(row.get::<&str, _>("presence"))?,
            presence_since: row.get::<i64, _>("presence_since") as Millis,
        })
    }

    async fn write(tx: &mut Transaction<'_, Sqlite>, batch: Batch) -> sqlx::Result<()> {
        for (record, token_hash) in &batch.new_conversations {
            sqlx::query(
                "INSERT INTO conversations (id, token_hash, record, open) VALUES (?, ?, ?, 1)",
            )
            .bind(&record.id.0)
            .bind(token_hash)
            .bind(json(record))
            .execute(&mut **tx)
            .await?;
        }
        for record in &batch.conversations {
            sqlx::query("UPDATE conversations SET record = ?, open = ? WHERE id = ?")
                .bind(json(record))
                .bind(record.is_open())
                .bind(&record.id.0)
                .execute(&mut **tx)
                .await?;
        }
        for message in &batch.messages {
            sqlx::query("INSERT INTO messages (conversation_id, id, body) VALUES (?, ?, ?)")
                .bind(&message.conversation.0)
                .bind(message.id as i64)
                .bind(json(message))
                .execute(&mut **tx)
                .await?;
        }
        for (agent, presence, since) in &batch.presences {
            sqlx::query("UPDATE agents SET presence = ?, presence_since = ? WHERE id = ?")
                .bind(json(presence))
                .bind(*since as i64)
                .bind(&agent.0)
                .execute(&mut **tx)
                .await?;
        }
        for (stream, seq, event) in &batch.outbox {
            sqlx::query("INSERT INTO outbox (stream, seq, event) VALUES (?, ?, ?)")
                .bind(stream)
                .bind(*seq as i64)
                .bind(event)
                .execute(&mut **tx)
                .await?;
            sqlx::query(
                "INSERT INTO stream_heads (stream, last_seq) VALUES (?, ?) \
                 ON CONFLICT (stream) DO UPDATE SET last_seq = excluded.last_seq",
            )
            .bind(stream)
            .bind(*seq as i64)
            .execute(&mut **tx)
            .await?;
        }
        for (stream, command, reply) in &batch.replies {
            sqlx::query(
                "INSERT OR REPLACE INTO replies (stream, command_id, reply) VALUES (?, ?, ?)",
            )
            .bind(stream)
            .bind(command)
            .bind(reply)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

impl Store for SqliteStore {
    async fn agents(&self) -> StoreResult<Vec<AgentRecord>> {
        let rows = sqlx::query("SELECT * FROM agents ORDER BY email")
            .fetch_all(&self.pool)
            .await
            .map_err(failed)?;
        rows.iter().map(Self::agent).collect()
    }

    async fn agent_by_email(&self, email: &str) -> StoreResult<Option<AgentRecord>> {
        let row = sqlx::query("SELECT * FROM agents WHERE email = ?")
            .bind(email.trim())
            .fetch_optional(&self.pool)
            .await
            .map_err(failed)?;
        row.as_ref().map(Self::agent).transpose()
    }

    async fn insert_agent(&self, agent: &AgentRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO agents (id, email, name, password_hash, queues, capacity, presence, presence_since) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&agent.id.0)
        .bind(&agent.email)
        .bind(&agent.name)
        .bind(&agent.password_hash)
        .bind(json(&agent.queues))
        .bind(agent.capacity.map(i64::from))
        .bind(json(&agent.presence))
        .bind(agent.presence_since as i64)
        .execute(&self.pool)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError(format!("an agent with e-mail {} already exists", agent.email))
            }
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
        sqlx::query("DELETE FROM sessions WHERE agent_id = ?")
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

    async fn session_agent(&self, token_hash: &str, now: Millis) -> StoreResult<Option<AgentId>> {
        let row =
            sqlx::query("SELECT agent_id FROM sessions WHERE token_hash = ? AND expires_at > ?")
                .bind(token_hash)
                .bind(now as i64)
                .fetch_optional(&self.pool)
                .await
                .map_err(failed)?;
        Ok(row.map(|row| AgentId(row.get("agent_id"))))
    }

    async fn open_conversations(&self) -> StoreResult<Vec<ConversationRecord>> {
        let rows = sqlx::query("SELECT record FROM conversations WHERE open = 1")
            .fetch_all(&self.pool)
            .await
            .map_err(failed)?;
        rows.iter()
            .map(|row| parse(row.get::<&str, _>("record")))
            .collect()
    }

    async fn conversation_by_token(&self, token_hash: &str) -> StoreResult<Option<ConversationId>> {
        let row = sqlx::query("SELECT id FROM conversations WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed)?;
        Ok(row.map(|row| ConversationId(row.get("id"))))
    }

    async fn history(&self, conversation: &ConversationId) -> StoreResult<Vec<ChatMessage>> {
        let rows = sqlx::query("SELECT body FROM messages WHERE conversation_id = ? ORDER BY id")
            .bind(&conversation.0)
            .fetch_all(&self.pool)
            .await
            .map_err(failed)?;
        rows.iter()
            .map(|row| parse(row.get::<&str, _>("body")))
            .collect()
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

    async fn acknowledge(&self, stream: &str, seq: Seq) -> StoreResult<()> {
        sqlx::query("DELETE FROM outbox WHERE stream = ? AND seq <= ?")
            .bind(stream)
            .bind(seq as i64)
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn reply(&self, stream: &str, command: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT reply FROM replies WHERE stream = ? AND command_id = ?")
            .bind(stream)
            .bind(command)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed)?;
        Ok(row.map(|row| row.get("reply")))
    }

    async fn commit(&self, batch: Batch) -> StoreResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(failed)?;
        Self::write(&mut tx, batch).await.map_err(failed)?;
        tx.commit().await.map_err(failed)
    }
}
