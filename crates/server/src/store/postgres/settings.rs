//! [`crate::store::settings::SettingsStore`] on PostgreSQL.

use super::PostgresStore;
use crate::store::settings::settings_store;

settings_store!(
    PostgresStore,
    read: "SELECT value FROM settings WHERE name = $1",
    write: "INSERT INTO settings (name, value) VALUES ($1, $2) \
            ON CONFLICT (name) DO UPDATE SET value = excluded.value"
);
