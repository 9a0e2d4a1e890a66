-- Message templates an administrator added through the admin API (the configuration file's are
-- read from the file): one per shortcut.
CREATE TABLE templates (
    shortcut TEXT PRIMARY KEY,
    body TEXT NOT NULL              -- JSON Template
);
