//! Settings the admin API changed: the configuration's overlay, written directly (not journaled:
//! it changes rarely, and is read at start and when it changes).

use std::future::Future;

use super::rows::parse;
use super::{Journaled, Store, StoreResult};
use crate::config::Overlay;

const OVERLAY: &str = "overlay";

/// The channel PostgreSQL notifies when a setting changed: every node applies it.
pub const SETTINGS_CHANGED: &str = "switchboard_settings";

pub trait SettingsStore {
    fn setting(&self, name: &str) -> impl Future<Output = StoreResult<Option<String>>> + Send;
    /// Stores `value` as `name` if `name` still holds `expected` (`None`: nothing yet); whether
    /// it did. Several nodes may change a setting at the same time: none loses another's change.
    fn replace_setting(
        &self,
        name: &str,
        expected: Option<&str>,
        value: &str,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
}

/// The overlay as stored, and the text a change must find unchanged to replace it.
#[derive(Debug)]
pub struct StoredOverlay {
    pub overlay: Overlay,
    text: Option<String>,
}

/// The configuration's overlay as stored (empty until the admin API changes something).
pub async fn overlay(store: &impl SettingsStore) -> StoreResult<Overlay> {
    Ok(stored_overlay(store).await?.overlay)
}

pub async fn stored_overlay(store: &impl SettingsStore) -> StoreResult<StoredOverlay> {
    let text = store.setting(OVERLAY).await?;
    let overlay = match &text {
        Some(text) => parse(text)?,
        None => Overlay::default(),
    };
    Ok(StoredOverlay { overlay, text })
}

/// Stores `overlay` in place of `was`, unless the stored overlay changed since it was read.
pub async fn replace_overlay(
    store: &impl SettingsStore,
    was: &StoredOverlay,
    overlay: &Overlay,
) -> StoreResult<bool> {
    let text = serde_json::to_string(overlay).expect("overlays serialize");
    store
        .replace_setting(OVERLAY, was.text.as_deref(), &text)
        .await
}

/// `SettingsStore` in the store's SQL dialect: `add` and `replace` return a row when they
/// stored (the first binds the name and the value, the second the expected value too).
macro_rules! settings_store {
    ($store:ty, read: $read:literal, add: $add:literal, replace: $replace:literal) => {
        impl $crate::store::settings::SettingsStore for $store {
            async fn setting(&self, name: &str) -> $crate::store::StoreResult<Option<String>> {
                let value = sqlx::query_scalar($read)
                    .bind(name)
                    .fetch_optional(self.pool())
                    .await?;
                Ok(value)
            }

            async fn replace_setting(
                &self,
                name: &str,
                expected: Option<&str>,
                value: &str,
            ) -> $crate::store::StoreResult<bool> {
                let query = match expected {
                    None => sqlx::query($add).bind(name).bind(value),
                    Some(expected) => sqlx::query($replace).bind(name).bind(value).bind(expected),
                };
                Ok(!query.fetch_all(self.pool()).await?.is_empty())
            }
        }
    };
}
pub(super) use settings_store;

settings_store!(
    super::SqliteStore,
    read: "SELECT value FROM settings WHERE name = ?",
    add: "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING \
          RETURNING name",
    replace: "UPDATE settings SET value = ?2 WHERE name = ?1 AND value = ?3 RETURNING name"
);

impl<S: Store> SettingsStore for Journaled<S> {
    async fn setting(&self, name: &str) -> StoreResult<Option<String>> {
        self.inner().setting(name).await
    }

    async fn replace_setting(
        &self,
        name: &str,
        expected: Option<&str>,
        value: &str,
    ) -> StoreResult<bool> {
        self.inner().replace_setting(name, expected, value).await
    }
}
