//! Where the facts the reports count are kept: written with the routing step that recorded them
//! (in its batch, so through the journal on the embedded store), read back by time.

use std::future::Future;

use switchboard_protocol::Millis;

use super::rows::parse;
use super::{Fact, Journaled, SqliteStore, Store, StoreResult};

pub trait FactStore {
    /// The facts recorded at or after `from` and before `to`, oldest first.
    fn facts(
        &self,
        from: Millis,
        to: Millis,
    ) -> impl Future<Output = StoreResult<Vec<Fact>>> + Send;
}

/// `FactStore` in the store's SQL dialect: `$select` reads the bodies between two times.
macro_rules! fact_store {
    ($store:ty, $select:literal) => {
        impl $crate::store::facts::FactStore for $store {
            async fn facts(
                &self,
                from: switchboard_protocol::Millis,
                to: switchboard_protocol::Millis,
            ) -> $crate::store::StoreResult<Vec<$crate::store::Fact>> {
                let bodies: Vec<String> = sqlx::query_scalar($select)
                    .bind(from as i64)
                    .bind(to as i64)
                    .fetch_all(self.pool())
                    .await?;
                $crate::store::facts::parse_all(&bodies)
            }
        }
    };
}
pub(super) use fact_store;

pub(super) fn parse_all(bodies: &[String]) -> StoreResult<Vec<Fact>> {
    bodies.iter().map(|body| parse(body)).collect()
}

fact_store!(
    SqliteStore,
    "SELECT body FROM facts WHERE at >= ? AND at < ? ORDER BY at, conversation_id, number"
);

/// Reports see every step: what the journal holds is applied first.
impl<S: Store> FactStore for Journaled<S> {
    async fn facts(&self, from: Millis, to: Millis) -> StoreResult<Vec<Fact>> {
        self.caught_up().await?;
        self.inner().facts(from, to).await
    }
}
