//! Settings the admin API changed: the configuration's overlay, written directly (not journaled:
//! it changes rarely, and is read at start and when it changes).

use std::future::Future;

use super::rows::parse;
use super::{Journaled, Store, StoreResult};
use crate::config::Overlay;

const OVERLAY: &str = "overlay";

pub trait SettingsStore {
    fn setting(&self, name: &str) -> impl Future<Output = StoreResult<Option<String>>> + Send;
    fn save_setting(&self, name: &str, value: &str)
    -> impl Future<Output = StoreResult<()>> + Send;
}

/// The configuration's overlay as stored (empty until the admin API changes something).
pub async fn overlay(store: &impl SettingsStore) -> StoreResult<Overlay> {
    let stored = store.setting(OVERLAY).await?;
    stored.map_or_else(|| Ok(Overlay::default()), |text| parse(&text))
}

pub async fn save_overlay(store: &impl SettingsStore, overlay: &Overlay) -> StoreResult<()> {
    let text = serde_json::to_string(overlay).expect("overlays serialize");
    store.save_setting(OVERLAY, &text).await
}

/// `SettingsStore` in the store's SQL dialect.
macro_rules! settings_store {
    ($store:ty, read: $read:literal, write: $write:literal) => {
        impl $crate::store::settings::SettingsStore for $store {
            async fn setting(&self, name: &str) -> $crate::store::StoreResult<Option<String>> {
                let value = sqlx::query_scalar($read)
                    .bind(name)
                    .fetch_optional(self.pool())
                    .await?;
                Ok(value)
            }

            async fn save_setting(
                &self,
                name: &str,
                value: &str,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query($write)
                    .bind(name)
                    .bind(value)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }
        }
    };
}
pub(super) use settings_store;

settings_store!(
    super::SqliteStore,
    read: "SELECT value FROM settings WHERE name = ?",
    write: "INSERT INTO settings (name, value) VALUES (?, ?) \
            ON CONFLICT (name) DO UPDATE SET value = excluded.value"
);

impl<S: Store> SettingsStore for Journaled<S> {
    async fn setting(&self, name: &str) -> StoreResult<Option<String>> {
        self.inner().setting(name).await
    }

    async fn save_setting(&self, name: &str, value: &str) -> StoreResult<()> {
        self.inner().save_setting(name, value).await
    }
}
