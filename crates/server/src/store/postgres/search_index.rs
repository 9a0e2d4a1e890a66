//! Keeping the search index beside routing: routing's commits only queue what is to be indexed
//! (triggers, see the migrations), and [`PostgresStore::index_search`] indexes the queue — every
//! 100 ms on the routing node while commits come, and before every search or transcript, so that
//! a search finds what was just written. The words are computed here ([`words`](super::words));
//! PostgreSQL stores them.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::PostgresStore;
use super::words::stored_words;
use crate::store::StoreResult;

/// How far the search index may trail routing. Often, so that each call writes a few hundred
/// rows into the GIN index rather than a second's thousands at once, which held routing's commits
/// back on the cores they share (see the server README).
const INDEX_EVERY: Duration = Duration::from_millis(100);
/// How often the room of the queue's indexed rows is given back.
const RECLAIM_EVERY: Duration = Duration::from_secs(1);

/// What the queue holds up to `$1`, to be indexed in this order: (queued, conversation, kind,
/// text). A customer's words change seldom: their row is written only when they did, after the
/// row they replace is deleted here.
const QUEUED: &str = "
    WITH customer AS (
        SELECT c.id, switchboard_customer_text(c.record) AS text, min(q.id) AS queued
        FROM search_queue q JOIN conversations c ON c.id = q.conversation_id
        WHERE q.id <= $1 AND q.message_id IS NULL
        GROUP BY c.id, c.record
    ), stale AS (
        DELETE FROM search_text s USING customer n
        WHERE s.conversation_id = n.id AND s.kind = 'customer' AND s.text IS DISTINCT FROM n.text
        RETURNING s.conversation_id
    )
    SELECT q.id, q.conversation_id, 'message', q.text
    FROM search_queue q
    WHERE q.id <= $1 AND q.message_id IS NOT NULL
    UNION ALL
    SELECT n.queued, n.id, 'customer', n.text FROM customer n
    WHERE n.id IN (SELECT conversation_id FROM stale)
       OR NOT EXISTS (SELECT 1 FROM search_text s
                      WHERE s.conversation_id = n.id AND s.kind = 'customer')
    ORDER BY 1";

/// (queued, conversation, kind, text)
type Queued = (i64, String, String, String);

impl PostgresStore {
    /// Indexes what routing's commits queued for search, in the order they wrote it; one caller
    /// at a time.
    pub(crate) async fn index_search(&self) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('switchboard_index_search'))")
            .execute(&mut *tx)
            .await?;
        let last: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM search_queue")
            .fetch_one(&mut *tx)
            .await?;
        let Some(last) = last else {
            return Ok(());
        };
        let queued: Vec<Queued> = sqlx::query_as(QUEUED)
            .bind(last)
            .fetch_all(&mut *tx)
            .await?;
        let mut conversations = Vec::with_capacity(queued.len());
        let mut kinds = Vec::with_capacity(queued.len());
        let mut words = Vec::with_capacity(queued.len());
        let mut texts = Vec::with_capacity(queued.len());
        for (_, conversation, kind, text) in queued {
            words.push(stored_words(&text));
            conversations.push(conversation);
            kinds.push(kind);
            texts.push(text);
        }
        sqlx::query(
            "INSERT INTO search_text (conversation_id, kind, text, words)
             SELECT c, k, t, array_to_tsvector(string_to_array(w, ' '))
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[])
                 WITH ORDINALITY AS r (c, k, t, w, n)
             ORDER BY n",
        )
        .bind(&conversations)
        .bind(&kinds)
        .bind(&texts)
        .bind(&words)
        .execute(&mut *tx)
        .await?;
        // Who wrote a message, and who held or joined a conversation when its record changed.
        sqlx::query(
            "INSERT INTO conversation_agents
                 SELECT DISTINCT agent, q.conversation_id
                 FROM search_queue q, unnest(q.agents) AS agent WHERE q.id <= $1
             ON CONFLICT DO NOTHING",
        )
        .bind(last)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM search_queue WHERE id <= $1")
            .bind(last)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives back the room of the queue's indexed rows. The indexer empties the queue ten times a
    /// second and autovacuum comes by once a minute at most: meanwhile every call read past all
    /// the rows deleted since, in the queue's index (3.8 ms a call against 1.2 ms).
    async fn reclaim_search_queue(&self) -> StoreResult<()> {
        sqlx::raw_sql("VACUUM (TRUNCATE false) search_queue")
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Keeps the search index at most [`INDEX_EVERY`] behind routing, beside it.
    pub fn index_search_beside_routing(&self) {
        let store = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(INDEX_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let (mut reclaimed, mut indexed_since) = (tokio::time::Instant::now(), false);
            loop {
                every.tick().await;
                // Idle, nothing is asked of PostgreSQL.
                if store.search_queued.swap(false, Ordering::Relaxed) {
                    match store.index_search().await {
                        Ok(()) => indexed_since = true,
                        // Out of reach, the store says so elsewhere; the queue waits.
                        Err(error) => {
                            store.search_queued.store(true, Ordering::Relaxed);
                            if !error.is_transient() {
                                tracing::warn!(%error, "the search index is not up to date");
                            }
                        }
                    }
                }
                if indexed_since && reclaimed.elapsed() >= RECLAIM_EVERY {
                    (reclaimed, indexed_since) = (tokio::time::Instant::now(), false);
                    if let Err(error) = store.reclaim_search_queue().await {
                        tracing::debug!(%error, "could not give back the search queue's room");
                    }
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use sqlx::PgPool;
    use switchboard_protocol::{AgentId, ChatMessage, ConversationId, EndedBy, Sender};

    use super::*;
    use crate::routing::Readable;
    use crate::store::search::{SearchStore, words};
    use crate::store::{ConversationRecord, Status};

    use super::super::search::tests::{record, store};

    /// A database migrated as a deployment was before migration `upgrade`.
    async fn migrated_before(url: &str, upgrade: &str) -> PgPool {
        let before = tempfile::tempdir().expect("a directory");
        let migrations =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations-postgres");
        for file in std::fs::read_dir(migrations).expect("the migrations") {
            let path = file.expect("a migration").path();
            let name = path
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            if name.as_str() < upgrade {
                std::fs::copy(&path, before.path().join(name)).expect("copied");
            }
        }
        let pool = PgPool::connect(url).await.expect("connected");
        let older = sqlx::migrate::Migrator::new(before.path())
            .await
            .expect("migrations");
        older.run(&pool).await.expect("migrated");
        pool
    }

    /// `conversation` opened, `message` written in it, and the conversation ended, as routing's
    /// commits write them (the triggers queue each for search).
    async fn write_ended(pool: &PgPool, conversation: ConversationRecord, message: ChatMessage) {
        let id = conversation.id.0.clone();
        let mut ended = conversation.clone();
        ended.status = Status::Closed {
            ended_by: EndedBy::Agent,
            wrap_up: None,
            closed_at: message.sent_at + 1,
        };
        for (sql, json) in [
            (
                "INSERT INTO conversations (id, token_hash, record, open) VALUES ($2, $2, $1, true)",
                serde_json::to_string(&conversation),
            ),
            (
                "INSERT INTO messages (conversation_id, id, body) VALUES ($2, 1, $1)",
                serde_json::to_string(&message),
            ),
            (
                "UPDATE conversations SET record = $1, open = false WHERE id = $2",
                serde_json::to_string(&ended),
            ),
        ] {
            sqlx::query(sql)
                .bind(json.expect("json"))
                .bind(&id)
                .execute(pool)
                .await
                .expect("written");
        }
    }

    fn message(conversation: usize, from: Sender, text: &str) -> ChatMessage {
        ChatMessage {
            id: 1,
            conversation: ConversationId(format!("c{conversation}")),
            from,
            text: text.into(),
            sent_at: 8,
            attachments: Vec::new(),
        }
    }

    async fn found(store: &PostgresStore, whose: &Readable, query: &str) -> Vec<String> {
        let found = store.search(whose, &words(query), 50).await;
        let found = found.expect("searched");
        found.into_iter().map(|(r, _)| r.id.0).collect()
    }

    /// Beside routing, what commits queued is indexed without a search asking for it, and the room
    /// of the rows indexed is given back at once rather than read past until autovacuum comes.
    #[tokio::test]
    async fn beside_routing_the_queue_is_indexed_and_its_room_given_back() {
        let store = store().await;
        for sql in [
            "CREATE EXTENSION IF NOT EXISTS pgstattuple",
            "ALTER TABLE search_queue SET (autovacuum_enabled = false)",
        ] {
            sqlx::raw_sql(sql).execute(store.pool()).await.expect(sql);
        }
        let state = || async {
            sqlx::query_as::<_, (i64, i64, i64)>(
                "SELECT (SELECT count(*) FROM search_text), (SELECT count(*) FROM search_queue),
                        (SELECT dead_tuple_count FROM pgstattuple('search_queue'))",
            )
            .fetch_one(store.pool())
            .await
            .expect("read")
        };
        let (indexed, queued, _) = state().await;
        assert_eq!((indexed, queued > 0), (0, true), "queued, not indexed");
        store.index_search_beside_routing();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let now = state().await;
            if now == (60 + 60, 0, 0) {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "indexed, queued, dead: {now:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// A deployment upgraded with messages still queued as 0017 queued them (no text, no author):
    /// the upgrade reads them from their messages once, so nothing queued is lost to search.
    #[tokio::test]
    async fn messages_queued_before_the_queue_carried_words_are_indexed_after_the_upgrade() {
        let (url, _) = switchboard_testkit::postgres::database();
        let pool = migrated_before(&url, "0019").await;
        // Bo held c7 and ended it; Ann had written in it before it was transferred to him. Nothing
        // was indexed since.
        let ann = Sender::Agent {
            agent: AgentId("agent-ann".into()),
            name: "Ann".into(),
        };
        let text = "your refund is on its way";
        write_ended(&pool, record(7, "agent-bo"), message(7, ann, text)).await;
        pool.close().await;

        let store = PostgresStore::connect(&url).await.expect("upgraded");
        for agent in ["agent-ann", "agent-bo"] {
            let whose = Readable::TheirOwn(AgentId(agent.into()));
            assert_eq!(found(&store, &whose, "refund").await, ["c7"], "{agent}");
        }
    }

    /// Rows the database indexed with its own words, before the server computed them, hold the
    /// same words as rows indexed since: one query finds both, with or without accents.
    #[tokio::test]
    async fn rows_indexed_before_the_server_computed_words_are_found_as_those_since() {
        let (url, _) = switchboard_testkit::postgres::database();
        let text = "Zoë's café in ŁÓDŹ: Straße 12b, x½y — ann@example.com";
        let customer = || Sender::Customer {
            name: "Zoë".into()
        };
        let pool = migrated_before(&url, "0022").await;
        write_ended(&pool, record(1, "agent-ann"), message(1, customer(), text)).await;
        sqlx::query("SELECT switchboard_index_search()")
            .execute(&pool)
            .await
            .expect("indexed by the database");
        pool.close().await;

        let store = PostgresStore::connect(&url).await.expect("upgraded");
        write_ended(
            store.pool(),
            record(2, "agent-ann"),
            message(2, customer(), text),
        )
        .await;
        store.index_search().await.expect("indexed by the server");
        let stored: Vec<String> = sqlx::query_scalar(
            "SELECT strip(words)::text FROM search_text WHERE kind = 'message' ORDER BY id",
        )
        .fetch_all(store.pool())
        .await
        .expect("read");
        assert_eq!(stored.len(), 2);
        assert_eq!(
            stored[0], stored[1],
            "the database's words, then the server's"
        );
        for query in [
            "zoe cafe lodz strasse 12b x1 2y ann example",
            "ZOË CAFÉ Łódź STRAẞE",
        ] {
            assert_eq!(
                found(&store, &Readable::Everyone, query).await,
                ["c2", "c1"],
                "{query}"
            );
        }
    }
}
