-- Which server node routes. One row; a node takes over only once the lease of the one before
-- has run out (by PostgreSQL's clock), raising the term. The routing node's every commit extends
-- the lease in the same transaction, and only while the term is still its own: a node that has
-- been replaced cannot commit a step any more.
CREATE TABLE leadership (
    one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
    term BIGINT NOT NULL,
    node TEXT NOT NULL,
    address TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
