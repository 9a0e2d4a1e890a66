//! [`crate::store::settings::SettingsStore`] on PostgreSQL: a change notifies every node
//! (`SETTINGS_CHANGED`) when it commits.

use super::PostgresStore;
use crate::store::settings::settings_store;

settings_store!(
    PostgresStore,
    read: "SELECT value FROM settings WHERE name = $1",
    add: "WITH saved AS (INSERT INTO settings (name, value) VALUES ($1, $2) \
          ON CONFLICT (name) DO NOTHING RETURNING name) \
          SELECT pg_notify('switchboard_settings', name) FROM saved",
    replace: "WITH saved AS (UPDATE settings SET value = $2 WHERE name = $1 AND value = $3 \
              RETURNING name) SELECT pg_notify('switchboard_settings', name) FROM saved"
);
