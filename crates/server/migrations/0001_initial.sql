-- Agents: accounts, the queues they serve, their last presence (restored on reconnect).
CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    queues TEXT NOT NULL,            -- JSON array of queue ids
    capacity INTEGER,                -- NULL: the configured default
    presence TEXT NOT NULL,          -- JSON Presence
    presence_since INTEGER NOT NULL
);

-- Signed-in desktops: only a hash of each token is kept.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);

-- Conversations: the routing record as JSON; `open` until ended and wrapped up.
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE, -- hash of the secret the customer's widget resumes with
    record TEXT NOT NULL,
    open INTEGER NOT NULL
);
CREATE INDEX conversations_open ON conversations(open) WHERE open = 1;

CREATE TABLE messages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    id INTEGER NOT NULL,
    body TEXT NOT NULL,              -- JSON ChatMessage
    PRIMARY KEY (conversation_id, id)
);

-- Events not yet acknowledged, per stream, in sequence order.
CREATE TABLE outbox (
    stream TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,             -- JSON event
    PRIMARY KEY (stream, seq)
);

-- The last sequence number given out on each stream (outbox rows are pruned once acknowledged).
CREATE TABLE stream_heads (
    stream TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
);

-- The reply to each command, so that a retried command is answered again and not re-applied.
-- Kept a day: a desktop or widget retries within seconds of reconnecting.
CREATE TABLE replies (
    stream TEXT NOT NULL,
    command_id TEXT NOT NULL,
    reply TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (stream, command_id)
);
CREATE INDEX replies_created ON replies(created_at);
