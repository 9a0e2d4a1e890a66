-- What happened to each conversation (offered, accepted, rejected, RONA, abandoned, transferred,
-- escalated, ended), written with the routing step that recorded it, for the reports.
CREATE TABLE facts (
    conversation_id TEXT NOT NULL,
    number INTEGER NOT NULL,         -- the fact's number within its conversation
    at INTEGER NOT NULL,
    body TEXT NOT NULL,              -- JSON Fact
    PRIMARY KEY (conversation_id, number)
);
CREATE INDEX facts_at ON facts (at);
