-- The schema of `migrations/` (SQLite) in PostgreSQL's terms: the same tables and columns, JSON
-- kept as text (written and read whole, never queried inside), integers as BIGINT, and an
-- identity column where SQLite's rowid gave the order of insertion.

-- Agents: accounts, the queues they serve, their last presence (restored on reconnect).
CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    queues TEXT NOT NULL,            -- JSON array of queue ids
    capacity BIGINT,                 -- NULL: the configured default
    presence TEXT NOT NULL,          -- JSON Presence
    presence_since BIGINT NOT NULL
);
-- E-mail addresses are unique without regard to case.
CREATE UNIQUE INDEX agents_email ON agents (lower(email));

-- Signed-in desktops: only a hash of each token is kept.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_agent ON sessions (agent_id);

-- Conversations: the routing record as JSON; `open` until ended and wrapped up.
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    started BIGINT GENERATED ALWAYS AS IDENTITY, -- the order conversations were stored in
    token_hash TEXT NOT NULL UNIQUE, -- hash of the secret the customer's widget resumes with
    record TEXT NOT NULL,
    open BOOLEAN NOT NULL,
    contact_id TEXT                  -- the contact it was matched to
);
CREATE INDEX conversations_open ON conversations (id) WHERE open;
CREATE INDEX conversations_by_contact ON conversations (contact_id, started)
    WHERE contact_id IS NOT NULL AND NOT open;

CREATE TABLE messages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    id BIGINT NOT NULL,
    body TEXT NOT NULL,              -- JSON ChatMessage
    PRIMARY KEY (conversation_id, id)
);

-- Events not yet acknowledged, per stream, in sequence order.
CREATE TABLE outbox (
    stream TEXT NOT NULL,
    seq BIGINT NOT NULL,
    event TEXT NOT NULL,             -- JSON event
    PRIMARY KEY (stream, seq)
);

-- The last sequence number given out on each stream (outbox rows are pruned once acknowledged).
CREATE TABLE stream_heads (
    stream TEXT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

-- The reply to each command, so that a retried command is answered again and not re-applied.
-- Kept a day: a desktop or widget retries within seconds of reconnecting.
CREATE TABLE replies (
    stream TEXT NOT NULL,
    command_id TEXT NOT NULL,
    reply TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    stored BIGINT GENERATED ALWAYS AS IDENTITY, -- the order replies were stored in
    PRIMARY KEY (stream, command_id)
);
CREATE INDEX replies_created ON replies (created_at);

-- Queues an administrator removed while the server ran: not served again, even if the
-- configuration still lists them.
CREATE TABLE removed_queues (
    id TEXT PRIMARY KEY,
    removed_at BIGINT NOT NULL
);

-- Contacts: customers the contact center knows. Each key identifies at most one contact.
CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT UNIQUE,               -- lower case
    mobile_phone TEXT UNIQUE,        -- E.164
    notes TEXT,
    external_id TEXT UNIQUE,
    facebook_id TEXT UNIQUE
);
