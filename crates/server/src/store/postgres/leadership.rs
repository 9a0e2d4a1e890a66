//! Which of several server nodes on one database routes: a lease in the `leadership` row, timed
//! by PostgreSQL's clock (the nodes' clocks need not agree), and a term that each takeover
//! raises. The routing node's commits extend the lease only while the term is still its own, in
//! the same transaction as the step (`switchboard_commit`): a node that has been replaced cannot commit a step, so
//! there is never a moment with two routers.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{PostgresStore, failed};
use crate::store::{StoreError, StoreResult};

/// How long a lease lasts unless renewed: a routing node that dies is replaced this long after
/// its last renewal, at most.
pub const LEASE: Duration = Duration::from_secs(3);
/// How often the routing node renews its lease (commits renew it too).
pub const RENEW_EVERY: Duration = Duration::from_secs(1);
/// How often a standing-by node tries to take over.
pub const CAMPAIGN_EVERY: Duration = Duration::from_millis(500);

/// The node that routes, as it announced itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leader {
    pub node: String,
    pub address: String,
    pub term: i64,
}

pub(super) fn lease_interval() -> String {
    format!("{} milliseconds", LEASE.as_millis())
}

impl PostgresStore {
    /// Takes over routing for `node` (reachable at `address`) if no node holds a lease now, or
    /// if the holder is this same node restarted; from then on, this store's commits are fenced
    /// by the term it returns. `None`: another node routes.
    pub async fn campaign(&self, node: &str, address: &str) -> StoreResult<Option<i64>> {
        let term: Option<i64> = sqlx::query_scalar(
            "INSERT INTO leadership (term, node, address, expires_at) \
             VALUES (1, $1, $2, now() + $3::interval) \
             ON CONFLICT (one) DO UPDATE SET term = leadership.term + 1, node = excluded.node, \
             address = excluded.address, expires_at = excluded.expires_at \
             WHERE leadership.expires_at < now() OR leadership.node = excluded.node \
             RETURNING term",
        )
        .bind(node)
        .bind(address)
        .bind(lease_interval())
        .fetch_optional(self.pool())
        .await
        .map_err(failed)?;
        if let Some(term) = term {
            self.term.store(term, Ordering::SeqCst);
            tokio::spawn(self.clone().renew_while_routing());
        }
        Ok(term)
    }

    /// Renews the lease every [`RENEW_EVERY`] until another node has taken over: then the store
    /// has failed for good (`Store::failed`), and the server stops. A renewal PostgreSQL does
    /// not answer is tried again: if the lease runs out meanwhile, the next one says so.
    async fn renew_while_routing(self) {
        let mut every = tokio::time::interval(RENEW_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match self.renew().await {
                Ok(()) => {}
                Err(error) if error.is_transient() => {
                    tracing::warn!(%error, "renewing the routing lease failed: trying again");
                }
                Err(error) => {
                    self.health
                        .send_modify(|health| health.replaced = Some(error));
                    return;
                }
            }
        }
    }

    /// The node routing now, if its lease runs.
    pub async fn leader(&self) -> StoreResult<Option<Leader>> {
        let row: Option<(String, String, i64)> =
            sqlx::query_as("SELECT node, address, term FROM leadership WHERE expires_at >= now()")
                .fetch_optional(self.pool())
                .await
                .map_err(failed)?;
        Ok(row.map(|(node, address, term)| Leader {
            node,
            address,
            term,
        }))
    }

    /// Extends this node's lease; an error once another node has taken over.
    async fn renew(&self) -> StoreResult<()> {
        let term = self.term.load(Ordering::SeqCst);
        let extended = sqlx::query(
            "UPDATE leadership SET expires_at = greatest(expires_at, now() + $2::interval) \
             WHERE term = $1",
        )
        .bind(term)
        .bind(lease_interval())
        .execute(self.pool())
        .await
        .map_err(failed)?;
        if extended.rows_affected() == 0 {
            return Err(replaced(term));
        }
        Ok(())
    }
}

fn replaced(term: i64) -> StoreError {
    StoreError::Stopped(format!(
        "another node routes now: this node's term {term} has passed"
    ))
}

/// A commit's failure: the fence's refusal (`switchboard_commit` raises SBFEN) is for good.
pub(super) fn fenced_or_failed(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(database) if database.code().as_deref() == Some("SBFEN") => {
            StoreError::Stopped(database.message().to_owned())
        }
        _ => failed(error),
    }
}
