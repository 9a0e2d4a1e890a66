-- Search is indexed beside routing, not inside its commits: per message, a row of words
-- (unaccent, a regular expression, to_tsvector) into a GIN index saturated a 2-core machine at
-- the documented load. Routing's commits now only queue what is to be indexed (a statement-level
-- trigger each, over the rows the statement wrote), and `switchboard_index_search()` indexes the
-- queue in one transaction: every second on the routing node, and before every search or
-- transcript, so a search still finds what was just written.
CREATE TABLE search_queue (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- the order rows were written in
    conversation_id TEXT NOT NULL,
    message_id BIGINT,                   -- a message; NULL: the conversation's record changed
    agents TEXT[] NOT NULL DEFAULT '{}'  -- the record's agents then: it may change again before indexing
);

DROP TRIGGER messages_searched ON messages;
DROP TRIGGER conversations_searched ON conversations;
DROP FUNCTION switchboard_message_searched();
DROP FUNCTION switchboard_conversation_searched();

CREATE FUNCTION switchboard_messages_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In the order the statement wrote them, as the search's "newest first" reads them.
    INSERT INTO search_queue (conversation_id, message_id) SELECT conversation_id, id FROM written;
    RETURN NULL;
END $$;
CREATE TRIGGER messages_queued AFTER INSERT ON messages
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION switchboard_messages_queued();

CREATE FUNCTION switchboard_conversations_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_queue (conversation_id, agents)
        SELECT id,
            array_remove(ARRAY[record::json #>> '{status,agent}'], NULL)
                || ARRAY(SELECT json_array_elements_text(record::json -> 'conference'))
        FROM written;
    RETURN NULL;
END $$;
CREATE TRIGGER conversations_queued_inserted AFTER INSERT ON conversations
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION switchboard_conversations_queued();
CREATE TRIGGER conversations_queued_updated AFTER UPDATE ON conversations
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION switchboard_conversations_queued();

-- Indexes what is queued, in the order it was written; one caller at a time.
CREATE FUNCTION switchboard_index_search() RETURNS void LANGUAGE plpgsql AS $$
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
        SELECT q.id AS queued, m.conversation_id, 'message' AS kind,
            coalesce(m.body::json ->> 'text', '') AS text
        FROM search_queue q
        JOIN messages m ON m.conversation_id = q.conversation_id AND m.id = q.message_id
        WHERE q.id <= last
        UNION ALL
        SELECT n.queued, n.id, 'customer', n.text FROM customer n
        WHERE n.id IN (SELECT conversation_id FROM stale)
           OR NOT EXISTS (SELECT 1 FROM search_text s
                          WHERE s.conversation_id = n.id AND s.kind = 'customer')
    )
    INSERT INTO search_text (conversation_id, kind, text, words)
        SELECT conversation_id, kind, text, switchboard_words(text) FROM indexed ORDER BY queued;
    INSERT INTO conversation_agents
        SELECT DISTINCT m.body::json #>> '{from,agent}', m.conversation_id
        FROM search_queue q
        JOIN messages m ON m.conversation_id = q.conversation_id AND m.id = q.message_id
        WHERE q.id <= last AND m.body::json #>> '{from,agent}' IS NOT NULL
        ON CONFLICT DO NOTHING;
    INSERT INTO conversation_agents
        SELECT DISTINCT agent, q.conversation_id FROM search_queue q, unnest(q.agents) AS agent
        WHERE q.id <= last AND q.message_id IS NULL
        ON CONFLICT DO NOTHING;
    DELETE FROM search_queue WHERE id <= last;
END $$;
