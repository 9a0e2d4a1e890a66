//! [`crate::store::api_keys::ApiKeyStore`] on PostgreSQL.

use super::PostgresStore;
use crate::store::api_keys::api_key_store;

api_key_store!(
    PostgresStore,
    insert: "INSERT INTO api_keys (name, scope, key_hash, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
    revoke: "UPDATE api_keys SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
    all: "SELECT name, scope, key_hash, created_at, revoked_at FROM api_keys ORDER BY name",
    live: "SELECT name, scope, key_hash, created_at, revoked_at FROM api_keys \
           WHERE key_hash = $1 AND revoked_at IS NULL"
);
