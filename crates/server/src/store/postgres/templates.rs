//! Added message templates in PostgreSQL: written directly, as in the embedded store.

use super::PostgresStore;
use crate::store::templates::template_store;

template_store!(
    PostgresStore,
    upsert: "INSERT INTO templates (shortcut, body) VALUES ($1, $2) \
             ON CONFLICT (shortcut) DO UPDATE SET body = excluded.body",
    delete: "DELETE FROM templates WHERE shortcut = $1"
);
