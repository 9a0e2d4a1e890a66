-- Named API keys for the admin API, as `migrations/0011_api_keys.sql`.
CREATE TABLE api_keys (
    name TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
