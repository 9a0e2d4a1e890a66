-- Files sent with messages: their records, and their content in chunks unless it is kept in the
-- attachments directory (under its SHA-256).
CREATE TABLE files (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    uploader TEXT NOT NULL,          -- 'customer' or 'agent:<id>'
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,      -- read from the content
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    in_dir INTEGER NOT NULL
);
CREATE INDEX files_conversation ON files (conversation_id);

CREATE TABLE file_chunks (
    file_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (file_id, n)
);

-- Secrets the server makes itself, such as the key signing links to files.
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
