-- A queued message carries its text and its author, read from the rows the commit wrote: the
-- indexer no longer looks each message up again (twice: for its words and for its author), which
-- was most of its cost and, beside routing on a 2-core machine, most of routing's p99.
ALTER TABLE search_queue ADD COLUMN text TEXT; -- a message's; NULL for a conversation's record

-- Rows queued before this migration: read from their messages once, here.
UPDATE search_queue AS q
SET text = coalesce(m.body::json ->> 'text', ''),
    agents = array_remove(ARRAY[m.body::json #>> '{from,agent}'], NULL)
FROM messages AS m
WHERE q.message_id IS NOT NULL AND m.conversation_id = q.conversation_id AND m.id = q.message_id;

CREATE OR REPLACE FUNCTION switchboard_messages_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In the order the statement wrote them, as the search's "newest first" reads them.
    INSERT INTO search_queue (conversation_id, message_id, text, agents)
        SELECT conversation_id, id, coalesce(body ->> 'text', ''),
            array_remove(ARRAY[body #>> '{from,agent}'], NULL)
        FROM (SELECT conversation_id, id, body::json AS body FROM written) AS message;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION switchboard_index_search() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    last BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('switchboard_index_search'));
    SELECT max(id) INTO last FROM search_queue;
    IF last IS NULL THEN
        RETURN;
    END IF;
    -- A customer's words change seldom: their row is replaced only when they did.
    WITH customer AS (
        SELECT c.id, switchboard_customer_text(c.record) AS text, min(q.id) AS queued
        FROM search_queue q JOIN conversations c ON c.id = q.conversation_id
        WHERE q.id <= last AND q.message_id IS NULL
        GROUP BY c.id, c.record
    ), stale AS (
        DELETE FROM search_text s USING customer n
        WHERE s.conversation_id = n.id AND s.kind = 'customer' AND s.text IS DISTINCT FROM n.text
        RETURNING s.conversation_id
    ), indexed AS (
        SELECT q.id AS queued, q.conversation_id, 'message' AS kind, q.text
        FROM search_queue q
        WHERE q.id <= last AND q.message_id IS NOT NULL
        UNION ALL
        SELECT n.queued, n.id, 'customer', n.text FROM customer n
        WHERE n.id IN (SELECT conversation_id FROM stale)
           OR NOT EXISTS (SELECT 1 FROM search_text s
                          WHERE s.conversation_id = n.id AND s.kind = 'customer')
    )
    INSERT INTO search_text (conversation_id, kind, text, words)
        SELECT conversation_id, kind, text, switchboard_words(text) FROM indexed ORDER BY queued;
    -- Who wrote a message, and who held or joined a conversation when its record changed.
    INSERT INTO conversation_agents
        SELECT DISTINCT agent, q.conversation_id FROM search_queue q, unnest(q.agents) AS agent
        WHERE q.id <= last
        ON CONFLICT DO NOTHING;
    DELETE FROM search_queue WHERE id <= last;
END $$;
