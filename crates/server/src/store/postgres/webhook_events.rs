//! [`crate::store::webhook_events::WebhookEventStore`] on PostgreSQL.

use super::PostgresStore;
use crate::store::webhook_events::webhook_event_store;

webhook_event_store!(
    PostgresStore,
    names: "SELECT name, delivered_through FROM event_webhooks ORDER BY name",
    remove: "DELETE FROM event_webhooks WHERE name = $1",
    add: "INSERT INTO event_webhooks (name, delivered_through) \
          SELECT $1, coalesce(max(id), 0) FROM webhook_events ON CONFLICT DO NOTHING",
    after: "SELECT id, event_id, source, subject, body FROM webhook_events WHERE id > $1 \
            ORDER BY id LIMIT $2",
    delivered: "UPDATE event_webhooks SET delivered_through = greatest(delivered_through, $1) \
                WHERE name = $2",
    forget: "DELETE FROM webhook_events WHERE id <= coalesce(\
             (SELECT min(delivered_through) FROM event_webhooks), \
             (SELECT max(id) FROM webhook_events))"
);
