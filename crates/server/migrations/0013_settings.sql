-- Settings the admin API changed (the configuration's overlay): stored, not written into the
-- configuration file, applied over it at start.
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL  -- JSON
);
