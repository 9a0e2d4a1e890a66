//! The outbox on PostgreSQL: events kept until their client acknowledges them, and each stream's
//! head — the last sequence number given out on it, where a restarted or newly elected hub
//! continues. A stream's head is its last event kept, or else its row in `stream_heads`: commits
//! write that row only when the outbox does not tell as much (`Writes::heads_beyond_outbox`),
//! and the acknowledged events leave with the head they make, in one statement.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use sqlx::PgPool;
use switchboard_protocol::Seq;

use super::failed;
use crate::store::StoreResult;

/// How often each stream's acknowledged events are deleted from the outbox.
pub(super) const FORGET_EVERY: Duration = Duration::from_secs(2);
/// The streams are taken in this many turns over [`FORGET_EVERY`], a share at a time: all at
/// once, each call deleted two seconds' events in 50–100 ms, and routing's commits beside it
/// waited for that every two seconds (the tail of the documented load; see the server README).
const FORGET_TURNS: u32 = 8;

/// The turn in which `stream`'s acknowledged events are deleted.
fn turn_of(stream: &str) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    stream.hash(&mut hasher);
    hasher.finish() % u64::from(FORGET_TURNS)
}

/// Deletes acknowledged events every [`FORGET_EVERY`], a few statements for a share of the
/// streams at a time, until the store is dropped. Acknowledgements need not be durable: an event
/// kept after its client applied it is never sent to that client again (it resumes past it), and
/// the next acknowledgement on its stream deletes it.
pub(super) async fn forget_acknowledged(
    pool: PgPool,
    acknowledged: std::sync::Weak<Mutex<HashMap<String, Seq>>>,
) {
    for turn in (0..u64::from(FORGET_TURNS)).cycle() {
        tokio::time::sleep(FORGET_EVERY / FORGET_TURNS).await;
        let Some(acknowledged) = acknowledged.upgrade() else {
            return;
        };
        let taken: HashMap<String, Seq> = acknowledged
            .lock()
            .expect("never poisoned")
            .extract_if(|stream, _| turn_of(stream) == turn)
            .collect();
        if taken.is_empty() {
            continue;
        }
        let (streams, seqs): (Vec<String>, Vec<i64>) = taken
            .iter()
            .map(|(stream, seq)| (stream.clone(), *seq as i64))
            .unzip();
        // A stream's head is its last event kept, or else its head row: the acknowledged events
        // leave with the head they make, in the same statement.
        let deleted = sqlx::query(
            "WITH acked AS (SELECT * FROM UNNEST($1::text[], $2::bigint[]) AS a (stream, seq)), \
             deleted AS (DELETE FROM outbox AS o USING acked a \
                         WHERE o.stream = a.stream AND o.seq <= a.seq) \
             INSERT INTO stream_heads (stream, last_seq) SELECT stream, seq FROM acked \
             ON CONFLICT (stream) \
             DO UPDATE SET last_seq = greatest(stream_heads.last_seq, excluded.last_seq)",
        )
        .bind(streams)
        .bind(seqs)
        .execute(&pool)
        .await;
        if let Err(error) = deleted {
            tracing::warn!(%error, "forgetting acknowledged events failed: trying again");
            let mut pending = acknowledged.lock().expect("never poisoned");
            for (stream, seq) in taken {
                let acked = pending.entry(stream).or_default();
                *acked = (*acked).max(seq);
            }
        }
    }
}

pub(super) async fn stream_heads(pool: &PgPool) -> StoreResult<Vec<(String, Seq)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT stream, max(seq)::bigint FROM ( \
             SELECT stream, last_seq AS seq FROM stream_heads \
             UNION ALL SELECT stream, max(seq) FROM outbox GROUP BY stream) h \
         GROUP BY stream",
    )
    .fetch_all(pool)
    .await
    .map_err(failed)?;
    Ok(rows
        .into_iter()
        .map(|(stream, seq)| (stream, seq as Seq))
        .collect())
}

pub(super) async fn after(
    pool: &PgPool,
    stream: &str,
    seq: Seq,
) -> StoreResult<Vec<(Seq, String)>> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT seq, event FROM outbox WHERE stream = $1 AND seq > $2 ORDER BY seq")
            .bind(stream)
            .bind(seq as i64)
            .fetch_all(pool)
            .await
            .map_err(failed)?;
    Ok(rows
        .into_iter()
        .map(|(seq, event)| (seq as Seq, event))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::PostgresStore;
    use super::*;
    use crate::store::{Batch, Store};

    fn events(stream: &str, seqs: std::ops::RangeInclusive<Seq>) -> Vec<(String, Seq, String)> {
        seqs.map(|seq| (stream.to_owned(), seq, format!("event {seq}")))
            .collect()
    }

    async fn heads(store: &PostgresStore) -> Vec<(String, Seq)> {
        let mut heads = store.stream_heads().await.expect("read");
        heads.sort();
        heads
    }

    /// Where each stream continues, whether its last events are kept, were acknowledged within
    /// the commit that gave them out (never written), or were acknowledged and forgotten since.
    #[tokio::test]
    async fn every_stream_continues_after_its_last_event_given_out() {
        let (url, _) = switchboard_testkit::postgres::database();
        let store = PostgresStore::connect(&url).await.expect("a store");
        let batch = Batch {
            outbox: [events("kept", 1..=3), events("acked-at-once", 1..=4)].concat(),
            acks: vec![("acked-at-once".into(), 4)],
            ..Batch::default()
        };
        store.commit(batch).await.expect("stored");
        let expected = [("acked-at-once".to_owned(), 4), ("kept".to_owned(), 3)];
        assert_eq!(heads(&store).await, expected);
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM stream_heads")
            .fetch_one(store.pool())
            .await
            .expect("counted");
        assert_eq!(rows, 1, "a head row only where the outbox does not tell");

        let acked = Batch {
            acks: vec![("kept".into(), 3), ("acked-at-once".into(), 4)],
            ..Batch::default()
        };
        store.commit(acked).await.expect("stored");
        while !store
            .outbox_after("kept", 0)
            .await
            .expect("read")
            .is_empty()
        {
            tokio::time::sleep(FORGET_EVERY / 4).await;
        }
        assert_eq!(heads(&store).await, expected);
    }

    /// A commit whose answer was lost with its connection is tried again: that try finds the
    /// events written and writes none twice. A first try that finds them is a bug, and fails.
    #[tokio::test]
    async fn a_commit_tried_again_writes_nothing_twice() {
        let (url, _) = switchboard_testkit::postgres::database();
        let store = PostgresStore::connect(&url).await.expect("a store");
        let batch = Batch {
            outbox: events("agent:ann", 1..=3),
            ..Batch::default()
        };
        store.commit_once(&batch, false).await.expect("stored");
        store
            .commit_once(&batch, true)
            .await
            .expect("the try made again finds the events written");
        let kept = store.outbox_after("agent:ann", 0).await.expect("read");
        assert_eq!(
            kept,
            events("agent:ann", 1..=3)
                .into_iter()
                .map(|(_, seq, event)| (seq, event))
                .collect::<Vec<_>>()
        );
        assert!(
            store.commit_once(&batch, false).await.is_err(),
            "a first try finding its events written fails"
        );
    }
}
