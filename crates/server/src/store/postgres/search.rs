//! [`SearchStore`] on PostgreSQL: full-text search over the `search_text` index, kept beside
//! routing (`search_index.rs`).
//!
//! The GIN index gives a word's matches unordered, so a word in most conversations would mean
//! reading and sorting all of them, and the planner cannot tell a common prefix from a rare one
//! (its estimate is the same for both). The search therefore picks its own way: an agent who took
//! part in few conversations has theirs read; a word with few matches has them all read from the
//! GIN index; a common word is looked for in the newest rows, a window at a time, where it fills
//! the page — and only if it does not, in the GIN index's older matches. A supervisor's search
//! through everyone's conversations takes the last two ways.
//!
//! Each query that looks for words is planned with its words (`persistent(false)`: PostgreSQL
//! plans an unnamed statement for the values bound). A prepared one switched to a generic plan
//! after five searches, and for the words read as written (`$1::tsquery`), a cheap filter, that
//! plan read every row newest first: a word in one conversation of 100,000 took 344 ms, not 1.

use super::PostgresStore;
use super::words::tsquery;
use crate::routing::Readable;
use crate::store::StoreResult;
use crate::store::search::{Found, SearchStore, found, only_agent, transcript};

/// How a search picks its way.
struct Plan {
    /// Below this many conversations an agent's own are read rather than everyone's matches.
    few_conversations: i64,
    /// A word with at most this many matches is rare: all of them are read from the GIN index.
    rare_matches: i64,
    /// Rows read per window from the newest, and the windows read before the GIN index.
    window_rows: i64,
    windows: usize,
}

const PLAN: Plan = Plan {
    few_conversations: 2_000,
    rare_matches: 2_000,
    window_rows: 5_000,
    windows: 4,
};

/// Conversations checked (theirs, ended) per query among the GIN index's matches.
const CHECKED_PER_QUERY: usize = 500;

/// (row id, conversation id, matching text)
type Match = (i64, String, String);

/// Matches in one agent's conversations.
const THEIR_MATCHES: &str = "SELECT s.id, s.conversation_id, s.text FROM conversation_agents a
     JOIN conversations c ON c.id = a.conversation_id AND NOT c.open
     JOIN search_text s ON s.conversation_id = a.conversation_id
     WHERE a.agent_id = $1 AND s.words @@ $2::tsquery";

/// Matches in ended conversations that pass `$readable` (bound to the agent as `$1`) among a
/// window of rows older than `$3`, newest first. The window's `LIMIT` keeps the planner from
/// reading it any other way.
macro_rules! window_matches {
    ($readable:literal) => {
        concat!(
            "SELECT s.id, s.conversation_id, s.text FROM (
                 SELECT id, conversation_id, text, words FROM search_text WHERE id < $3
                 ORDER BY id DESC LIMIT $4) s
             WHERE s.words @@ $2::tsquery AND ",
            $readable,
            " AND EXISTS (SELECT 1 FROM conversations c
                          WHERE c.id = s.conversation_id AND NOT c.open)
             ORDER BY s.id DESC"
        )
    };
}

/// Each filter is a query of its own, so that the planner sees exactly what it filters on.
const THEIR_WINDOW_MATCHES: &str = window_matches!(
    "EXISTS (SELECT 1 FROM conversation_agents a
             WHERE a.agent_id = $1 AND a.conversation_id = s.conversation_id)"
);
/// Everyone's: `$1` is bound to null.
const EVERYONES_WINDOW_MATCHES: &str = window_matches!("$1::text IS NULL");

impl SearchStore for PostgresStore {
    async fn search(
        &self,
        whose: &Readable,
        words: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Found>> {
        self.search_planned(whose, words, limit, &PLAN).await
    }

    transcript!(
        "SELECT 1 FROM conversations c WHERE c.id = $2 AND NOT c.open
           AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM conversation_agents a
                                            WHERE a.agent_id = $1 AND a.conversation_id = c.id))",
        "SELECT body FROM messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2",
        "SELECT record FROM conversations WHERE id = $1",
        indexed_by: index_search
    );
}

impl PostgresStore {
    async fn search_planned(
        &self,
        whose: &Readable,
        words: &[String],
        limit: usize,
        plan: &Plan,
    ) -> StoreResult<Vec<Found>> {
        self.index_search().await?;
        let Some(query) = tsquery(words) else {
            return Ok(Vec::new());
        };
        let mut hits = Hits::new(limit);
        if let Readable::TheirOwn(agent) = whose {
            let theirs: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM (SELECT 1 FROM conversation_agents WHERE agent_id = $1 LIMIT $2) t",
            )
            .bind(&agent.0)
            .bind(plan.few_conversations)
            .fetch_one(self.pool())
            .await?;
            if theirs < plan.few_conversations {
                let matches: Vec<Match> = sqlx::query_as(THEIR_MATCHES)
                    .persistent(false)
                    .bind(&agent.0)
                    .bind(&query)
                    .fetch_all(self.pool())
                    .await?;
                hits.take(newest_first(matches));
                return self.records(hits).await;
            }
        }
        let matches = self
            .indexed_matches(&query, i64::MAX, plan.rare_matches + 1)
            .await?;
        if matches.len() as i64 <= plan.rare_matches {
            self.keep_readable(whose, newest_first(matches), &mut hits)
                .await?;
            return self.records(hits).await;
        }
        let mut older_than = i64::MAX;
        for _ in 0..plan.windows {
            let window = match whose {
                Readable::TheirOwn(_) => THEIR_WINDOW_MATCHES,
                Readable::Everyone => EVERYONES_WINDOW_MATCHES,
            };
            let matches: Vec<Match> = sqlx::query_as(window)
                .persistent(false)
                .bind(only_agent(whose))
                .bind(&query)
                .bind(older_than)
                .bind(plan.window_rows)
                .fetch_all(self.pool())
                .await?;
            hits.take(matches);
            let oldest: Option<i64> = sqlx::query_scalar(
                "SELECT min(id) FROM (SELECT id FROM search_text WHERE id < $1
                 ORDER BY id DESC LIMIT $2) w",
            )
            .bind(older_than)
            .bind(plan.window_rows)
            .fetch_one(self.pool())
            .await?;
            match oldest {
                Some(oldest) if !hits.full() => older_than = oldest,
                _ => return self.records(hits).await,
            }
        }
        let matches = self.indexed_matches(&query, older_than, i64::MAX).await?;
        self.keep_readable(whose, newest_first(matches), &mut hits)
            .await?;
        self.records(hits).await
    }

    /// At most `limit` of the GIN index's matches older than `older_than`, in no order.
    async fn indexed_matches(
        &self,
        query: &str,
        older_than: i64,
        limit: i64,
    ) -> StoreResult<Vec<Match>> {
        Ok(sqlx::query_as(
            "SELECT id, conversation_id, text FROM search_text
             WHERE words @@ $1::tsquery AND id < $2 LIMIT $3",
        )
        .persistent(false)
        .bind(query)
        .bind(older_than)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Takes the matches, given newest first, whose conversation is an ended one among `whose`.
    async fn keep_readable(
        &self,
        whose: &Readable,
        matches: Vec<Match>,
        hits: &mut Hits,
    ) -> StoreResult<()> {
        let mut rest = matches.as_slice();
        while !rest.is_empty() && !hits.full() {
            let mut batch: Vec<&str> = Vec::new();
            let mut end = 0;
            while end < rest.len() && batch.len() < CHECKED_PER_QUERY {
                let conversation = rest[end].1.as_str();
                if !batch.contains(&conversation) {
                    batch.push(conversation);
                }
                end += 1;
            }
            let kept: Vec<String> = sqlx::query_scalar(
                "SELECT c.id FROM conversations c WHERE c.id = ANY($2) AND NOT c.open
                   AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM conversation_agents a
                                                    WHERE a.agent_id = $1 AND a.conversation_id = c.id))",
            )
            .bind(only_agent(whose))
            .bind(&batch)
            .fetch_all(self.pool())
            .await?;
            hits.take(
                rest[..end]
                    .iter()
                    .filter(|(_, conversation, _)| kept.contains(conversation))
                    .cloned(),
            );
            rest = &rest[end..];
        }
        Ok(())
    }

    /// The conversations found, with their matching texts, in the order found.
    async fn records(&self, hits: Hits) -> StoreResult<Vec<Found>> {
        let ids: Vec<&str> = hits.found.iter().map(|(id, _)| id.as_str()).collect();
        let records: Vec<(String, String)> =
            sqlx::query_as("SELECT id, record FROM conversations WHERE id = ANY($1)")
                .bind(&ids)
                .fetch_all(self.pool())
                .await?;
        let rows = hits
            .found
            .iter()
            .filter_map(|(conversation, text)| {
                let (_, record) = records.iter().find(|(id, _)| id == conversation)?;
                Some((record.clone(), text.clone()))
            })
            .collect();
        found(rows)
    }
}

fn newest_first(mut matches: Vec<Match>) -> Vec<Match> {
    matches.sort_unstable_by_key(|(id, ..)| std::cmp::Reverse(*id));
    matches
}

/// Conversations found so far, each once with its newest matching text, up to a limit.
struct Hits {
    limit: usize,
    found: Vec<(String, String)>,
}

impl Hits {
    fn new(limit: usize) -> Hits {
        Hits {
            limit,
            found: Vec::new(),
        }
    }

    fn full(&self) -> bool {
        self.found.len() >= self.limit
    }

    /// Takes matches given newest first.
    fn take(&mut self, matches: impl IntoIterator<Item = Match>) {
        for (_, conversation, text) in matches {
            if self.full() {
                return;
            }
            if !self.found.iter().any(|(seen, _)| *seen == conversation) {
                self.found.push((conversation, text));
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use switchboard_protocol::{AgentId, ChatMessage, ConversationId, EndedBy, Sender};

    use super::*;
    use crate::store::search::words;
    use crate::store::{Batch, ConversationRecord, Status, Store};

    pub(in crate::store::postgres) fn record(n: usize, agent: &str) -> ConversationRecord {
        serde_json::from_value(serde_json::json!({
            "id": format!("c{n}"), "channel": "chat", "queue": "general",
            "customer": { "name": format!("Customer{n}") },
            "context": [], "proactive": false, "started_at": n as u64, "comment": "Hello",
            "status": { "status": "held", "agent": agent, "accepted_at": n as u64 },
            "next_message": 2
        }))
        .expect("a stored conversation")
    }

    /// 60 conversations: every third Bo's, the others Ann's; the last four still open. Each has one
    /// message, and every fifth says "parcel".
    pub(in crate::store::postgres) async fn store() -> PostgresStore {
        let (url, _) = switchboard_testkit::postgres::database();
        let store = PostgresStore::connect(&url).await.expect("a store");
        let (mut opened, mut closed) = (Batch::default(), Batch::default());
        for n in 0..60 {
            let agent = if n % 3 == 0 { "agent-bo" } else { "agent-ann" };
            let mut record = record(n, agent);
            let text = if n % 5 == 0 { "my parcel" } else { "my order" };
            opened.messages.push(ChatMessage {
                id: 1,
                conversation: ConversationId(format!("c{n}")),
                from: Sender::Customer {
                    name: format!("Customer{n}"),
                },
                text: format!("{text} {n}"),
                sent_at: n as u64,
                attachments: Vec::new(),
            });
            opened
                .new_conversations
                .push((record.clone(), format!("token{n}")));
            if n < 56 {
                record.status = Status::Closed {
                    ended_by: EndedBy::Agent,
                    wrap_up: None,
                    closed_at: n as u64 + 1,
                };
                closed.conversations.push(record);
            }
        }
        store.commit(opened).await.expect("stored");
        store.commit(closed).await.expect("stored");
        store
    }

    #[tokio::test]
    async fn every_way_finds_the_same_conversations_newest_first() {
        let store = store().await;
        let ways = [
            ("their own", PLAN),
            (
                "the rare word's matches",
                Plan {
                    few_conversations: 0,
                    ..PLAN
                },
            ),
            (
                "newest windows",
                Plan {
                    few_conversations: 0,
                    rare_matches: 0,
                    window_rows: 7,
                    windows: 100,
                },
            ),
            (
                "a window, then older matches",
                Plan {
                    few_conversations: 0,
                    rare_matches: 0,
                    window_rows: 7,
                    windows: 1,
                },
            ),
        ];
        let everyone = None;
        for (agent, query, limit, expected) in [
            (
                Some("agent-ann"),
                "parcel",
                50,
                vec!["c55", "c50", "c40", "c35", "c25", "c20", "c10", "c5"],
            ),
            (Some("agent-ann"), "parcel", 3, vec!["c55", "c50", "c40"]),
            (
                Some("agent-bo"),
                "parcel",
                50,
                vec!["c45", "c30", "c15", "c0"],
            ),
            (Some("agent-bo"), "my 5", 50, vec!["c54", "c51"]),
            (Some("agent-ann"), "refund", 50, vec![]),
            (
                everyone,
                "parcel",
                50,
                vec![
                    "c55", "c50", "c45", "c40", "c35", "c30", "c25", "c20", "c15", "c10", "c5",
                    "c0",
                ],
            ),
            (everyone, "parcel", 3, vec!["c55", "c50", "c45"]),
            (
                everyone,
                "my 5",
                50,
                vec!["c55", "c54", "c53", "c52", "c51", "c50", "c5"],
            ),
        ] {
            let whose = match agent {
                Some(agent) => Readable::TheirOwn(AgentId(agent.into())),
                None => Readable::Everyone,
            };
            for (way, plan) in &ways {
                let found = store
                    .search_planned(&whose, &words(query), limit, plan)
                    .await
                    .expect("searched");
                let ids: Vec<&str> = found
                    .iter()
                    .map(|(record, _)| record.id.0.as_str())
                    .collect();
                assert_eq!(ids, expected, "{whose:?} searching {query:?} through {way}");
            }
        }
    }

    async fn count(store: &PostgresStore, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(store.pool())
            .await
            .expect("counted")
    }

    #[tokio::test]
    async fn commits_only_queue_and_a_search_first_indexes_who_took_part_then() {
        let store = store().await;
        assert_eq!(
            count(&store, "search_text").await,
            0,
            "nothing indexed in commits"
        );
        assert!(count(&store, "search_queue").await >= 60 + 60 + 56);
        // Ann's open c58 goes to Bo and ends before anything is indexed: Ann took part all the same.
        let mut c58 = record(58, "agent-ann");
        c58.status = Status::Held {
            agent: AgentId("agent-bo".into()),
            accepted_at: 70,
        };
        let mut transferred = Batch::default();
        transferred.conversations.push(c58.clone());
        store.commit(transferred).await.expect("stored");
        c58.status = Status::Closed {
            ended_by: EndedBy::Agent,
            wrap_up: None,
            closed_at: 71,
        };
        let mut ended = Batch::default();
        ended.conversations.push(c58);
        store.commit(ended).await.expect("stored");
        for agent in ["agent-ann", "agent-bo"] {
            let whose = Readable::TheirOwn(AgentId(agent.into()));
            let found = store.search(&whose, &words("order 58"), 50).await;
            let found = found.expect("searched");
            let ids: Vec<_> = found.into_iter().map(|(record, _)| record.id.0).collect();
            assert_eq!(ids, ["c58"], "{agent}");
        }
        assert_eq!(count(&store, "search_queue").await, 0, "the queue indexed");
        assert_eq!(count(&store, "search_text").await, 60 + 60);
    }
}
