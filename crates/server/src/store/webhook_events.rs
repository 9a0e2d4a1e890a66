//! The events the event webhooks deliver: written with the routing step that made them (in its
//! batch, so through the journal on the embedded store), kept in the order the steps were taken,
//! and forgotten once every configured endpoint has them.

use std::future::Future;

use serde::{Deserialize, Serialize};

use super::{Journaled, Store, StoreResult};

/// An event a step made: what it is about, as the row its step stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWebhookEvent {
    /// The same for the same event however often its step is applied: stored once.
    pub id: String,
    /// `conversation` (started), `message`, `fact` or `presence`.
    pub source: String,
    /// The conversation's id; the agent's for presence.
    pub subject: String,
    /// The JSON of the conversation's record, the message, the fact, or the presence.
    pub body: String,
}

/// A stored event, with its place in the order the steps were taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    pub position: u64,
    pub event: NewWebhookEvent,
}

pub trait WebhookEventStore {
    /// Keeps exactly the endpoints `names` and says how far each has received: a new one starts
    /// after the events stored so far; one no longer configured is forgotten with its place.
    fn keep_event_webhooks(
        &self,
        names: &[String],
    ) -> impl Future<Output = StoreResult<Vec<(String, u64)>>> + Send;
    /// Up to `limit` events after `position`, oldest first.
    fn webhook_events_after(
        &self,
        position: u64,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<StoredEvent>>> + Send;
    /// Endpoint `name` has received every event up to `position`.
    fn webhook_delivered(
        &self,
        name: &str,
        position: u64,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Deletes the events every endpoint has received (all of them when there is none).
    fn forget_delivered_webhook_events(&self) -> impl Future<Output = StoreResult<()>> + Send;
}

/// `WebhookEventStore` in the store's SQL dialect.
macro_rules! webhook_event_store {
    ($store:ty, names: $names:literal, remove: $remove:literal, add: $add:literal,
     after: $after:literal, delivered: $delivered:literal, forget: $forget:literal) => {
        impl $crate::store::webhook_events::WebhookEventStore for $store {
            async fn keep_event_webhooks(
                &self,
                names: &[String],
            ) -> $crate::store::StoreResult<Vec<(String, u64)>> {
                let mut tx = self.pool().begin().await?;
                let kept: Vec<(String, i64)> = sqlx::query_as($names).fetch_all(&mut *tx).await?;
                for (name, _) in kept.iter().filter(|(name, _)| !names.contains(name)) {
                    sqlx::query($remove).bind(name).execute(&mut *tx).await?;
                }
                for name in names {
                    sqlx::query($add).bind(name).execute(&mut *tx).await?;
                }
                let kept: Vec<(String, i64)> = sqlx::query_as($names).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                Ok(kept
                    .into_iter()
                    .map(|(name, through)| (name, through as u64))
                    .collect())
            }

            async fn webhook_events_after(
                &self,
                position: u64,
                limit: u32,
            ) -> $crate::store::StoreResult<Vec<$crate::store::webhook_events::StoredEvent>> {
                let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as($after)
                    .bind(position as i64)
                    .bind(i64::from(limit))
                    .fetch_all(self.pool())
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|(position, id, source, subject, body)| {
                        $crate::store::webhook_events::StoredEvent {
                            position: position as u64,
                            event: $crate::store::webhook_events::NewWebhookEvent {
                                id,
                                source,
                                subject,
                                body,
                            },
                        }
                    })
                    .collect())
            }

            async fn webhook_delivered(
                &self,
                name: &str,
                position: u64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query($delivered)
                    .bind(position as i64)
                    .bind(name)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }

            async fn forget_delivered_webhook_events(&self) -> $crate::store::StoreResult<()> {
                sqlx::query($forget).execute(self.pool()).await?;
                Ok(())
            }
        }
    };
}
pub(super) use webhook_event_store;

webhook_event_store!(
    super::SqliteStore,
    names: "SELECT name, delivered_through FROM event_webhooks ORDER BY name",
    remove: "DELETE FROM event_webhooks WHERE name = ?",
    add: "INSERT OR IGNORE INTO event_webhooks (name, delivered_through) \
          SELECT ?, coalesce(max(id), 0) FROM webhook_events",
    after: "SELECT id, event_id, source, subject, body FROM webhook_events WHERE id > ? \
            ORDER BY id LIMIT ?",
    delivered: "UPDATE event_webhooks SET delivered_through = max(delivered_through, ?) \
                WHERE name = ?",
    forget: "DELETE FROM webhook_events WHERE id <= coalesce(\
             (SELECT min(delivered_through) FROM event_webhooks), \
             (SELECT max(id) FROM webhook_events))"
);

/// Events appear once the journal has applied their step: delivering them a moment later costs
/// nothing, and routing never waits for them.
impl<S: Store> WebhookEventStore for Journaled<S> {
    async fn keep_event_webhooks(&self, names: &[String]) -> StoreResult<Vec<(String, u64)>> {
        self.inner().keep_event_webhooks(names).await
    }

    async fn webhook_events_after(
        &self,
        position: u64,
        limit: u32,
    ) -> StoreResult<Vec<StoredEvent>> {
        self.inner().webhook_events_after(position, limit).await
    }

    async fn webhook_delivered(&self, name: &str, position: u64) -> StoreResult<()> {
        self.inner().webhook_delivered(name, position).await
    }

    async fn forget_delivered_webhook_events(&self) -> StoreResult<()> {
        self.inner().forget_delivered_webhook_events().await
    }
}
