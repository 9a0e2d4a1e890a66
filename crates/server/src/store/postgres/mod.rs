//! The PostgreSQL store, for deployments that run on a database they already operate: the same
//! records as the embedded store (`migrations-postgres/` mirrors `migrations/`), each routing
//! step durable once PostgreSQL has committed its group. No journal in front: PostgreSQL's own
//! log is one, and a commit of a merged group costs about what one step's does.
//!
//! A group of steps is committed in one round trip, whatever its size (`commit.rs`).
//! Acknowledged events are deleted apart, every few seconds, for every stream at once.

mod api_keys;
mod audit;
mod commit;
mod contacts;
mod files;
pub mod leadership;
mod outbox;
pub mod relay;
mod search;
mod search_index;
mod settings;
mod templates;
mod webhook_events;
mod words;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicI64};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use switchboard_protocol::agent::Role;
use switchboard_protocol::rules::HISTORY_PAGE;
use switchboard_protocol::{AgentId, ChatMessage, ConversationId, Millis, QueueId, Seq};
use tokio::sync::watch;

use super::rows::{AGENT_COLUMNS, AgentRow, agent, json, parse, threads};
use super::{AgentRecord, Batch, ConversationRecord, Store, StoreError, StoreResult};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-postgres");

/// How often PostgreSQL is asked whether it answers, for `/readyz` while nothing is committed.
const PROBE_EVERY: Duration = Duration::from_secs(2);

#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
    health: Arc<watch::Sender<Health>>,
    /// The routing term this node won (0: none), checked by every commit.
    term: Arc<AtomicI64>,
    /// How far each stream's client has acknowledged, not yet forgotten in the database.
    acknowledged: Arc<Mutex<HashMap<String, Seq>>>,
    /// Whether a commit may have queued rows for search since the indexer last looked.
    search_queued: Arc<AtomicBool>,
}

/// Why the store is not working now, if it is not.
#[derive(Clone, Debug, Default)]
struct Health {
    /// The transient failure a commit is retrying.
    retrying: Option<StoreError>,
    /// The failure of the latest probe.
    unreachable: Option<StoreError>,
    /// Why this node no longer routes: another took over. For good.
    replaced: Option<StoreError>,
}

fn failed(error: impl Into<StoreError>) -> StoreError {
    error.into()
}

/// Where a `postgres://` URL points, without its password: for messages and logs.
pub fn describe(url: &str) -> String {
    match PgConnectOptions::from_str(url) {
        Ok(options) => format!(
            "PostgreSQL database {} at {}:{}",
            options.get_database().unwrap_or("(default)"),
            options.get_host(),
            options.get_port()
        ),
        Err(_) => "PostgreSQL (an unreadable URL)".into(),
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user[:password]@host[:port]/database`;
    /// libpq's `PG*` environment variables fill in what it leaves out) and applies pending
    /// migrations. Several servers may do so at once: migrations run under an advisory lock.
    pub async fn connect(url: &str) -> StoreResult<PostgresStore> {
        let described = describe(url);
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| failed(e).context(&described))?
            .application_name("switchboard");
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // A commit is one round trip: a ping before each would double it. A connection
            // found broken fails its commit, which is tried again on a new one.
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(|e| failed(e).context(&described))?;
        MIGRATIONS
            .run(&pool)
            .await
            .map_err(|e| failed(e).context(&described))?;
        let health = Arc::new(watch::Sender::new(Health::default()));
        tokio::spawn(probe(pool.clone(), Arc::downgrade(&health)));
        let acknowledged = Arc::default();
        tokio::spawn(outbox::forget_acknowledged(
            pool.clone(),
            Arc::downgrade(&acknowledged),
        ));
        Ok(PostgresStore {
            pool,
            health,
            term: Arc::new(AtomicI64::new(0)),
            acknowledged,
            // What another node's commits queued before this one routes is indexed first.
            search_queued: Arc::new(AtomicBool::new(true)),
        })
    }

    pub(super) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Whether nothing is stored yet: no agent, contact or conversation.
    pub async fn is_empty(&self) -> StoreResult<bool> {
        let used: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM agents) OR EXISTS (SELECT 1 FROM contacts) \
             OR EXISTS (SELECT 1 FROM conversations)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(failed)?;
        Ok(!used)
    }
}

/// Asks PostgreSQL every [`PROBE_EVERY`] whether it answers, until the store is dropped.
async fn probe(pool: PgPool, health: std::sync::Weak<watch::Sender<Health>>) {
    let mut every = tokio::time::interval(PROBE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let answered = tokio::time::timeout(PROBE_EVERY, sqlx::query("SELECT 1").execute(&pool));
        let failure = match answered.await {
            Ok(Ok(_)) => None,
            Ok(Err(error)) => Some(failed(error)),
            Err(_) => Some(StoreError::ConnectionLost(format!(
                "PostgreSQL did not answer within {} s",
                PROBE_EVERY.as_secs()
            ))),
        };
        let Some(health) = health.upgrade() else {
            return;
        };
        health.send_if_modified(|health| {
            let changed = health.unreachable.is_some() != failure.is_some();
            health.unreachable = failure;
            changed
        });
    }
}

impl Store for PostgresStore {
    async fn agents(&self) -> StoreResult<Vec<AgentRecord>> {
        let rows = sqlx::query_as::<_, AgentRow>(&format!(
            "SELECT {AGENT_COLUMNS} FROM agents ORDER BY lower(email)"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(failed)?;
        rows.into_iter().map(agent).collect()
    }

    async fn agent_by_email(&self, email: &str) -> StoreResult<Option<AgentRecord>> {
        let row = sqlx::query_as::<_, AgentRow>(&format!(
            "SELECT {AGENT_COLUMNS} FROM agents WHERE lower(email) = lower($1)"
        ))
        .bind(email.trim())
        .fetch_optional(&self.pool)
        .await
        .map_err(failed)?;
        row.map(agent).transpose()
    }

    async fn insert_agent(&self, agent: &AgentRecord) -> StoreResult<()> {
        sqlx::query(&format!(
            "INSERT INTO agents ({AGENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
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
        let mut tx = self.pool.begin().await.map_err(failed)?;
        let done = sqlx::query("UPDATE agents SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(&agent.0)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        // A new password signs every desktop out.
        sqlx::query("DELETE FROM sessions WHERE agent_id = $1")
            .bind(&agent.0)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_agent_work(
        &self,
        agent: &AgentId,
        name: &str,
        queues: &[QueueId],
        capacity: Option<u32>,
    ) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE agents SET name = $1, queues = $2, capacity = $3 WHERE id = $4")
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
        let done = sqlx::query("UPDATE agents SET role = $1 WHERE id = $2")
            .bind(role.to_string())
            .bind(&agent.0)
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove_agent(&self, agent: &AgentId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM agents WHERE id = $1")
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
        sqlx::query("INSERT INTO sessions (token_hash, agent_id, expires_at) VALUES ($1, $2, $3)")
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
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT agent_id, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now as i64)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed)?;
        Ok(row.map(|(agent, expires_at)| (AgentId(agent), expires_at as Millis)))
    }

    async fn end_session(&self, token_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        Ok(done.rows_affected() == 1)
    }

    async fn end_sessions(&self, agent: &AgentId) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE agent_id = $1")
            .bind(&agent.0)
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn open_conversations(&self) -> StoreResult<Vec<(ConversationRecord, Vec<ChatMessage>)>> {
        let records: Vec<String> =
            sqlx::query_scalar("SELECT record FROM conversations WHERE open ORDER BY started")
                .fetch_all(&self.pool)
                .await
                .map_err(failed)?;
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM (SELECT m.body, m.conversation_id, m.id, \
             ROW_NUMBER() OVER (PARTITION BY m.conversation_id ORDER BY m.id DESC) AS newer \
             FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.open) page \
             WHERE newer <= $1 ORDER BY conversation_id, id",
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
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM messages WHERE conversation_id = $1 AND id < $2 \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(&conversation.0)
        .bind(before as i64)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(failed)?;
        bodies.iter().rev().map(|body| parse(body)).collect()
    }

    async fn conversation_by_token(&self, token_hash: &str) -> StoreResult<Option<ConversationId>> {
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM conversations WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(failed)?;
        Ok(id.map(ConversationId))
    }

    async fn stream_heads(&self) -> StoreResult<Vec<(String, Seq)>> {
        outbox::stream_heads(&self.pool).await
    }

    async fn outbox_after(&self, stream: &str, seq: Seq) -> StoreResult<Vec<(Seq, String)>> {
        outbox::after(&self.pool, stream, seq).await
    }

    async fn removed_queues(&self) -> StoreResult<Vec<QueueId>> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM removed_queues")
            .fetch_all(&self.pool)
            .await
            .map_err(failed)?;
        Ok(ids.into_iter().map(QueueId).collect())
    }

    async fn replies(&self, stream: &str) -> StoreResult<Vec<(String, String)>> {
        sqlx::query_as(
            "SELECT command_id, reply FROM replies WHERE stream = $1 \
             ORDER BY created_at DESC, stored DESC",
        )
        .bind(stream)
        .fetch_all(&self.pool)
        .await
        .map_err(failed)
    }

    async fn reply(&self, stream: &str, id: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT reply FROM replies WHERE stream = $1 AND command_id = $2")
            .bind(stream)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed)
    }

    async fn prune_replies(&self, before: Millis) -> StoreResult<()> {
        sqlx::query("DELETE FROM replies WHERE created_at < $1")
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
        self.commit_retrying(batch).await
    }

    async fn failed(&self) -> StoreError {
        let mut health = self.health.subscribe();
        match health.wait_for(|health| health.replaced.is_some()).await {
            Ok(health) => health.replaced.clone().expect("waited for it"),
            Err(_) => StoreError::Stopped("the store stopped".into()),
        }
    }

    fn health(&self) -> StoreResult<()> {
        let health = self.health.borrow();
        let failing = [&health.replaced, &health.retrying, &health.unreachable];
        match failing.into_iter().flatten().next() {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }
}

crate::store::facts::fact_store!(
    PostgresStore,
    "SELECT body FROM facts WHERE at >= $1 AND at < $2 ORDER BY at, conversation_id, number"
);
