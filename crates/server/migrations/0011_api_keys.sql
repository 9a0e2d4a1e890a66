-- Named API keys for the admin API, each with a scope; only the key's hash is kept.
CREATE TABLE api_keys (
    name TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
