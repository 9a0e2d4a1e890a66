-- Event webhooks. Each configured endpoint keeps how far it has received the events; events are
-- kept until every endpoint has them. A step's events are written with it, in the order the
-- steps were taken; a batch applied again (a journal replayed) finds them stored by their ids.
CREATE TABLE event_webhooks (
    name TEXT PRIMARY KEY,
    delivered_through INTEGER NOT NULL  -- the last event the endpoint acknowledged
);

CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the order in which the steps were taken
    event_id TEXT NOT NULL UNIQUE,         -- what receivers de-duplicate on
    source TEXT NOT NULL,                  -- conversation, message, fact or presence
    subject TEXT NOT NULL,                 -- the conversation's id; the agent's for presence
    body TEXT NOT NULL                     -- JSON of the record, message, fact or presence
);
