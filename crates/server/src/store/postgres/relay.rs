//! What carries requests and frames between nodes (`migrations-postgres/0005_relay.sql`): a node
//! that does not route forwards its clients' requests through the `forwarded` table, woken by a
//! notification; the routing node sends each node its clients' frames as notifications on the
//! node's own channel. Every node says it is alive in `nodes`.

use std::sync::atomic::Ordering;

use sqlx::postgres::PgListener;

use super::leadership::lease_interval;
use super::{PostgresStore, failed};
use crate::store::StoreResult;

/// The channel that wakes the routing node when requests were forwarded.
pub const FORWARDED: &str = "switchboard_forwarded";

/// A forwarded request, as the routing node takes it.
#[derive(Debug)]
pub struct ForwardedRow {
    pub term: i64,
    pub instance: String,
    pub request: String,
}

/// The channel a node's frames are sent on: its instance's (one per process).
pub fn channel(instance: &str) -> String {
    format!("switchboard_node_{instance}")
}

impl PostgresStore {
    /// The routing term this node won; 0 while it has not.
    pub fn term(&self) -> i64 {
        self.term.load(Ordering::SeqCst)
    }

    /// A connection listening on `channels`, apart from the pool.
    pub async fn listen(&self, channels: &[&str]) -> StoreResult<PgListener> {
        // A lost connection shows as `try_recv` returning `None`: what was notified meanwhile is
        // gone, and the caller must make up for it.
        let mut listener = PgListener::connect_with(self.pool())
            .await
            .map_err(failed)?;
        listener
            .listen_all(channels.iter().copied())
            .await
            .map_err(failed)?;
        Ok(listener)
    }

    /// Forwards `requests` from `instance`, in order, to the node routing in `term`.
    pub async fn forward(&self, term: i64, instance: &str, requests: &[String]) -> StoreResult<()> {
        sqlx::query("SELECT switchboard_forward($1, $2, $3)")
            .bind(term)
            .bind(instance)
            .bind(requests)
            .execute(self.pool())
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// Takes every forwarded request, in the order each node sent them.
    pub async fn take_forwarded(&self) -> StoreResult<Vec<ForwardedRow>> {
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT term, instance, request FROM switchboard_take_forwarded()")
                .fetch_all(self.pool())
                .await
                .map_err(failed)?;
        Ok(rows
            .into_iter()
            .map(|(term, instance, request)| ForwardedRow {
                term,
                instance,
                request,
            })
            .collect())
    }

    /// Gives back the room of the requests taken. Taking empties the table hundreds of times a
    /// second and autovacuum comes by once a minute at most: meanwhile the table grows by every
    /// request forwarded, and each take reads all of it again (at the documented load on three
    /// nodes a take cost about a millisecond, a quarter of PostgreSQL's time). The table's empty
    /// end is left to autovacuum: cutting it off locks the table, and forwarding waits for that.
    pub async fn reclaim_forwarded(&self) -> StoreResult<()> {
        sqlx::raw_sql("VACUUM (TRUNCATE false) forwarded")
            .execute(self.pool())
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// Sends each payload on its channel, in order (one round trip).
    pub async fn notify(&self, channels: &[String], payloads: &[String]) -> StoreResult<()> {
        sqlx::query("SELECT switchboard_notify($1, $2)")
            .bind(channels)
            .bind(payloads)
            .execute(self.pool())
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// A payload too long for its notification, read once.
    pub async fn take_relayed(&self, id: i64) -> StoreResult<Option<String>> {
        sqlx::query_scalar("DELETE FROM relayed WHERE id = $1 RETURNING payload")
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(failed)
    }

    /// Says this process (`instance` of `node`) is alive.
    pub async fn seen(&self, instance: &str, node: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO nodes (instance, node, seen_at) VALUES ($1, $2, now()) \
             ON CONFLICT (instance) DO UPDATE SET seen_at = now()",
        )
        .bind(instance)
        .bind(node)
        .execute(self.pool())
        .await
        .map_err(failed)?;
        Ok(())
    }

    /// The processes seen within two leases' length (each says so every second: a busy one may
    /// be late); those not seen for much longer are forgotten.
    pub async fn live_instances(&self) -> StoreResult<Vec<String>> {
        sqlx::query("DELETE FROM nodes WHERE seen_at < now() - 10 * $1::interval")
            .bind(lease_interval())
            .execute(self.pool())
            .await
            .map_err(failed)?;
        sqlx::query_scalar("SELECT instance FROM nodes WHERE seen_at >= now() - 2 * $1::interval")
            .bind(lease_interval())
            .fetch_all(self.pool())
            .await
            .map_err(failed)
    }
}
