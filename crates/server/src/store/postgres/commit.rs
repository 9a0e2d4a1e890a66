//! A commit on PostgreSQL: a group of steps in one round trip, whatever its size — its rows
//! travel as arrays to `switchboard_commit` (`migrations-postgres/`), which writes each table with
//! one statement (`UNNEST`) — tried again while PostgreSQL cannot be reached.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{PostgresStore, leadership};
use crate::store::rows::{Writes, json};
use crate::store::{Batch, ConversationRecord, StoreResult};

/// How long a commit is tried again while PostgreSQL cannot be reached (a restart, a fail-over
/// of the database) before the server gives up and stops: routing waits meanwhile, and nothing
/// it decided is delivered before it is stored.
const RETRY_FOR: Duration = Duration::from_secs(30);

impl PostgresStore {
    /// Commits the batch, trying again for [`RETRY_FOR`] while the failure is transient (the
    /// connection was lost, the database is restarting): a try made again skips what a try whose
    /// outcome was lost with its connection wrote, so the batch is committed once.
    pub(super) async fn commit_retrying(&self, batch: &Batch) -> StoreResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let started = tokio::time::Instant::now();
        let mut pause = Duration::from_millis(50);
        let mut retried = false;
        loop {
            match self.commit_once(batch, retried).await {
                Ok(()) => {
                    self.search_queued.store(true, Ordering::Relaxed);
                    // A commit that went through answers for the probe too.
                    self.health.send_if_modified(|health| {
                        let retrying = health.retrying.take();
                        let unreachable = health.unreachable.take();
                        retrying.is_some() || unreachable.is_some()
                    });
                    let mut acknowledged = self.acknowledged.lock().expect("never poisoned");
                    for (stream, seq) in &batch.acks {
                        let acked = acknowledged.entry(stream.clone()).or_default();
                        *acked = (*acked).max(*seq);
                    }
                    return Ok(());
                }
                Err(error) if error.is_transient() && started.elapsed() < RETRY_FOR => {
                    tracing::warn!(%error, "committing to PostgreSQL failed: trying again");
                    self.health
                        .send_modify(|health| health.retrying = Some(error));
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(1));
                    retried = true;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Commits a batch in one round trip: `switchboard_commit` (`migrations-postgres/`) runs
    /// every statement in the call's own transaction, fenced by this node's routing term. Only a
    /// try `retried` may find the batch's messages and events already written.
    pub(super) async fn commit_once(&self, batch: &Batch, retried: bool) -> StoreResult<()> {
        let writes = Writes::of(batch);
        let (new, new_tokens): (Vec<&ConversationRecord>, Vec<&str>) = batch
            .new_conversations
            .iter()
            .map(|(record, token)| (record, token.as_str()))
            .unzip();
        let changed = &writes.conversations;
        let (token_ids, token_hashes): (Vec<&str>, Vec<&str>) = writes
            .tokens
            .iter()
            .map(|(id, token)| (id.0.as_str(), *token))
            .unzip();
        let presences = &writes.presences;
        let messages = &batch.messages;
        let events = &writes.unacknowledged;
        let (head_streams, head_seqs): (Vec<&str>, Vec<i64>) = writes
            .heads_beyond_outbox()
            .iter()
            .map(|(stream, seq)| (*stream, *seq as i64))
            .unzip();
        let replies = &writes.replies;
        let facts = &batch.facts;
        let webhook = &batch.webhook_events;
        sqlx::query(
            "SELECT switchboard_commit($1, $2::interval, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, \
             $29, $30, $31, $32, $33, $34, $35, $36, $37)",
        )
        .bind(self.term.load(Ordering::SeqCst))
        .bind(leadership::lease_interval())
        .bind(crate::clock::now() as i64)
        .bind(new.iter().map(|r| r.id.0.as_str()).collect::<Vec<_>>())
        .bind(new_tokens)
        .bind(new.iter().map(json).collect::<Vec<_>>())
        .bind(contact_ids(new.iter().copied()))
        .bind(changed.iter().map(|r| r.id.0.as_str()).collect::<Vec<_>>())
        .bind(changed.iter().map(json).collect::<Vec<_>>())
        .bind(changed.iter().map(|r| r.is_open()).collect::<Vec<_>>())
        .bind(contact_ids(changed.iter().copied()))
        .bind(token_ids)
        .bind(token_hashes)
        .bind(
            presences
                .iter()
                .map(|(a, ..)| a.0.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            presences
                .iter()
                .map(|(_, p, _)| json(p))
                .collect::<Vec<_>>(),
        )
        .bind(
            presences
                .iter()
                .map(|(.., since)| *since as i64)
                .collect::<Vec<_>>(),
        )
        .bind(
            messages
                .iter()
                .map(|m| m.conversation.0.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(messages.iter().map(|m| m.id as i64).collect::<Vec<_>>())
        .bind(messages.iter().map(json).collect::<Vec<_>>())
        .bind(events.iter().map(|(s, ..)| s.as_str()).collect::<Vec<_>>())
        .bind(
            events
                .iter()
                .map(|(_, seq, _)| *seq as i64)
                .collect::<Vec<_>>(),
        )
        .bind(events.iter().map(|(.., e)| e.as_str()).collect::<Vec<_>>())
        .bind(head_streams)
        .bind(head_seqs)
        .bind(replies.iter().map(|(s, ..)| s.as_str()).collect::<Vec<_>>())
        .bind(
            replies
                .iter()
                .map(|(_, c, _)| c.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(replies.iter().map(|(.., r)| r.as_str()).collect::<Vec<_>>())
        .bind(
            batch
                .removed_queues
                .iter()
                .map(|q| q.0.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            facts
                .iter()
                .map(|f| f.conversation.0.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(facts.iter().map(|f| f.number as i64).collect::<Vec<_>>())
        .bind(facts.iter().map(|f| f.at as i64).collect::<Vec<_>>())
        .bind(facts.iter().map(json).collect::<Vec<_>>())
        .bind(webhook.iter().map(|e| e.id.as_str()).collect::<Vec<_>>())
        .bind(
            webhook
                .iter()
                .map(|e| e.source.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            webhook
                .iter()
                .map(|e| e.subject.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(webhook.iter().map(|e| e.body.as_str()).collect::<Vec<_>>())
        .bind(retried)
        .execute(&self.pool)
        .await
        .map_err(leadership::fenced_or_failed)?;
        Ok(())
    }
}

fn contact_ids<'a>(records: impl Iterator<Item = &'a ConversationRecord>) -> Vec<Option<&'a str>> {
    records
        .map(|record| record.contact.as_ref().map(|c| c.0.as_str()))
        .collect()
}
