//! Moving an embedded deployment to PostgreSQL: every table of the SQLite database, once its
//! journal is applied, copied in one PostgreSQL transaction (all of it, or nothing), in the
//! order rows were stored, into a database that holds nothing yet.

use std::fmt;
use std::path::Path;

use futures_util::TryStreamExt;
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{Postgres, Transaction};

use super::rows::{AGENT_COLUMNS, AgentRow, CONTACT_COLUMNS, ContactRow};
use super::{Journaled, PostgresStore, SqliteStore, StoreError};

/// Rows read from SQLite and written to PostgreSQL at a time.
const PAGE: usize = 5_000;
/// A file's record: id, conversation, uploader, name, content type, size, SHA-256, in the
/// attachments directory.
type FileRow = (String, String, String, String, String, i64, String, bool);

/// Files' chunks (up to 256 KB each) at a time: a few megabytes in memory, not gigabytes.
const CHUNK_PAGE: usize = 16;

/// What was moved, table by table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    pub agents: u64,
    pub sessions: u64,
    pub contacts: u64,
    pub conversations: u64,
    pub messages: u64,
    pub facts: u64,
    pub events: u64,
    pub streams: u64,
    pub replies: u64,
    pub removed_queues: u64,
    pub templates: u64,
    pub audit_entries: u64,
    pub api_keys: u64,
    pub settings: u64,
    pub files: u64,
}

impl fmt::Display for Moved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} agents ({} signed-in sessions), {} contacts, {} conversations with {} messages \
             and {} facts for the reports, {} unacknowledged events on {} streams, {} stored \
             replies, {} removed queues, {} added templates, {} audit log entries, {} API keys, \
             {} settings changed through the admin API, {} files",
            self.agents,
            self.sessions,
            self.contacts,
            self.conversations,
            self.messages,
            self.facts,
            self.events,
            self.streams,
            self.replies,
            self.removed_queues,
            self.templates,
            self.audit_entries,
            self.api_keys,
            self.settings,
            self.files
        )
    }
}

/// Why nothing was moved.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{0} holds no embedded database (switchboard.db)")]
    NoDatabase(String),
    #[error("the target database already holds agents, contacts or conversations: nothing moved")]
    TargetNotEmpty,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Moves the embedded deployment in `data_dir` (its database and journal) to `to`, which must
/// hold nothing yet. The embedded data stays where it is.
pub async fn to_postgres(data_dir: &Path, to: &PostgresStore) -> Result<Moved, MigrateError> {
    let database = data_dir.join("switchboard.db");
    if !database.is_file() {
        return Err(MigrateError::NoDatabase(data_dir.display().to_string()));
    }
    if !to.is_empty().await? {
        return Err(MigrateError::TargetNotEmpty);
    }
    // What the last run journaled but had not applied yet reaches the database first.
    let sqlite = SqliteStore::open(&database).await?;
    drop(Journaled::open(sqlite.clone(), &data_dir.join("journal")).await?);
    let from = sqlite.pool();
    let mut tx = to.pool().begin().await.map_err(StoreError::from)?;
    let moved = copy(from, &mut tx).await.map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(moved)
}

/// An `INSERT … SELECT * FROM UNNEST(…)` of `sql` with one array per field of `rows`' tuples.
macro_rules! unnest {
    ($rows:expr, $sql:expr, $($field:tt),+) => {{
        let rows = $rows;
        let mut query = sqlx::query($sql);
        $( query = query.bind(rows.iter().map(|row| row.$field.clone()).collect::<Vec<_>>()); )+
        query
    }};
}

async fn copy(from: &SqlitePool, tx: &mut Transaction<'_, Postgres>) -> sqlx::Result<Moved> {
    let agents = format!(
        "INSERT INTO agents ({AGENT_COLUMNS}) SELECT * FROM UNNEST($1::text[], $2::text[], \
         $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bigint[], $9::text[])"
    );
    let agents = pages(
        from,
        &format!("SELECT {AGENT_COLUMNS} FROM agents"),
        async |rows: Vec<AgentRow>| {
            unnest!(rows, &agents, 0, 1, 2, 3, 4, 5, 6, 7, 8)
                .execute(&mut **tx)
                .await
                .map(drop)
        },
    )
    .await?;
    let sessions = pages(
        from,
        "SELECT token_hash, agent_id, expires_at FROM sessions",
        async |rows: Vec<(String, String, i64)>| {
            unnest!(
                rows,
                "INSERT INTO sessions (token_hash, agent_id, expires_at) \
                       SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[])",
                0,
                1,
                2
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    let contacts = format!(
        "INSERT INTO contacts ({CONTACT_COLUMNS}) SELECT * FROM UNNEST($1::text[], $2::text[], \
         $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])"
    );
    let contacts = pages(
        from,
        &format!("SELECT {CONTACT_COLUMNS} FROM contacts"),
        async |rows: Vec<ContactRow>| {
            unnest!(rows, &contacts, 0, 1, 2, 3, 4, 5, 6)
                .execute(&mut **tx)
                .await
                .map(drop)
        },
    )
    .await?;
    let conversations = pages(from, "SELECT id, token_hash, record, open <> 0, contact_id FROM conversations", async |rows: Vec<(String, String, String, bool, Option<String>)>| {
        unnest!(rows, "INSERT INTO conversations (id, token_hash, record, open, contact_id) \
                       SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bool[], $5::text[])", 0, 1, 2, 3, 4)
            .execute(&mut **tx).await.map(drop)
    })
    .await?;
    let messages = pages(
        from,
        "SELECT conversation_id, id, body FROM messages",
        async |rows: Vec<(String, i64, String)>| {
            unnest!(
                rows,
                "INSERT INTO messages (conversation_id, id, body) \
                       SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[])",
                0,
                1,
                2
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    let facts = pages(
        from,
        "SELECT conversation_id, number, at, body FROM facts",
        async |rows: Vec<(String, i64, i64, String)>| {
            unnest!(
                rows,
                "INSERT INTO facts (conversation_id, number, at, body) \
                       SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::text[])",
                0,
                1,
                2,
                3
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    let events = pages(
        from,
        "SELECT stream, seq, event FROM outbox",
        async |rows: Vec<(String, i64, String)>| {
            unnest!(
                rows,
                "INSERT INTO outbox (stream, seq, event) \
                       SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[])",
                0,
                1,
                2
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    let streams = pages(
        from,
        "SELECT stream, last_seq FROM stream_heads",
        async |rows: Vec<(String, i64)>| {
            unnest!(
                rows,
                "INSERT INTO stream_heads (stream, last_seq) \
                       SELECT * FROM UNNEST($1::text[], $2::bigint[])",
                0,
                1
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    let replies = pages(
        from,
        "SELECT stream, command_id, reply, created_at FROM replies",
        async |rows: Vec<(String, String, String, i64)>| {
            unnest!(
                rows,
                "INSERT INTO replies (stream, command_id, reply, created_at) \
                       SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[])",
                0,
                1,
                2,
                3
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    let removed_queues = pages(
        from,
        "SELECT id, removed_at FROM removed_queues",
        async |rows: Vec<(String, i64)>| {
            unnest!(
                rows,
                "INSERT INTO removed_queues (id, removed_at) \
                       SELECT * FROM UNNEST($1::text[], $2::bigint[])",
                0,
                1
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    let templates = pages(
        from,
        "SELECT shortcut, body FROM templates",
        async |rows: Vec<(String, String)>| {
            unnest!(
                rows,
                "INSERT INTO templates (shortcut, body) \
                       SELECT * FROM UNNEST($1::text[], $2::text[])",
                0,
                1
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    // In the order they were recorded: the log's numbers are given again, in that order.
    let audit_entries = pages(
        from,
        "SELECT at, actor, action, subject, detail, origin FROM audit",
        async |rows: Vec<(i64, String, String, String, String, String)>| {
            unnest!(
                rows,
                "INSERT INTO audit (at, actor, action, subject, detail, origin) \
                 SELECT at, actor, action, subject, detail, origin FROM UNNEST($1::bigint[], \
                 $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY \
                 AS u (at, actor, action, subject, detail, origin, n) ORDER BY n",
                0,
                1,
                2,
                3,
                4,
                5
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    // API keys, by their hashes: the keys given out go on working, revoked ones stay revoked.
    let api_keys = pages(
        from,
        "SELECT name, scope, key_hash, created_at, revoked_at FROM api_keys",
        async |rows: Vec<(String, String, String, i64, Option<i64>)>| {
            unnest!(
                rows,
                "INSERT INTO api_keys (name, scope, key_hash, created_at, revoked_at) \
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], \
                 $5::bigint[])",
                0,
                1,
                2,
                3,
                4
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    // What the admin API changed of the configuration.
    let settings = pages(
        from,
        "SELECT name, value FROM settings",
        async |rows: Vec<(String, String)>| {
            unnest!(
                rows,
                "INSERT INTO settings (name, value) SELECT * FROM UNNEST($1::text[], $2::text[])",
                0,
                1
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    // Files' records, the chunks of those kept in the database (those in `[attachments] dir`
    // stay there: the PostgreSQL deployment names the same directory), and the key that signs
    // their links, so that links already given out still open.
    let files = pages(
        from,
        "SELECT id, conversation_id, uploader, name, content_type, size, sha256, in_dir <> 0 \
         FROM files",
        async |rows: Vec<FileRow>| {
            unnest!(
                rows,
                "INSERT INTO files (id, conversation_id, uploader, name, content_type, size, \
                 sha256, in_dir) SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], \
                 $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bool[])",
                0,
                1,
                2,
                3,
                4,
                5,
                6,
                7
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    pages_of(
        CHUNK_PAGE,
        from,
        "SELECT file_id, n, bytes FROM file_chunks",
        async |rows: Vec<(String, i64, Vec<u8>)>| {
            unnest!(
                rows,
                "INSERT INTO file_chunks (file_id, n, bytes) \
                 SELECT * FROM UNNEST($1::text[], $2::int[], $3::bytea[])",
                0,
                1,
                2
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    pages(
        from,
        "SELECT name, value FROM secrets",
        async |rows: Vec<(String, Vec<u8>)>| {
            unnest!(
                rows,
                "INSERT INTO secrets (name, value) SELECT * FROM UNNEST($1::text[], $2::bytea[]) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                0,
                1
            )
            .execute(&mut **tx)
            .await
            .map(drop)
        },
    )
    .await?;
    Ok(Moved {
        agents,
        sessions,
        contacts,
        conversations,
        messages,
        facts,
        events,
        streams,
        replies,
        removed_queues,
        templates,
        audit_entries,
        api_keys,
        settings,
        files,
    })
}

/// Reads the rows `select` finds, in the order they were stored, and hands them to `write` a
/// page at a time; returns how many there were.
async fn pages<R>(
    from: &SqlitePool,
    select: &str,
    write: impl AsyncFnMut(Vec<R>) -> sqlx::Result<()>,
) -> sqlx::Result<u64>
where
    R: for<'r> sqlx::FromRow<'r, SqliteRow> + Send + Unpin,
{
    pages_of(PAGE, from, select, write).await
}

/// [`pages`], `size` rows at a time.
async fn pages_of<R>(
    size: usize,
    from: &SqlitePool,
    select: &str,
    mut write: impl AsyncFnMut(Vec<R>) -> sqlx::Result<()>,
) -> sqlx::Result<u64>
where
    R: for<'r> sqlx::FromRow<'r, SqliteRow> + Send + Unpin,
{
    let sql = format!("{select} ORDER BY rowid");
    let mut rows = sqlx::query_as::<_, R>(&sql).fetch(from);
    let mut page = Vec::with_capacity(size);
    let mut count = 0;
    while let Some(row) = rows.try_next().await? {
        page.push(row);
        count += 1;
        if page.len() == size {
            write(std::mem::replace(&mut page, Vec::with_capacity(size))).await?;
        }
    }
    if !page.is_empty() {
        write(page).await?;
    }
    Ok(count)
}
