-- Queues an administrator removed while the server ran: not served again, even if the
-- configuration still lists them.
CREATE TABLE removed_queues (
    id TEXT PRIMARY KEY,
    removed_at INTEGER NOT NULL
);
