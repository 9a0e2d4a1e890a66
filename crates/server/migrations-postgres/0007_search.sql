-- Search: the words of every message and of each conversation's customer (name, e-mail, phone),
-- found by a word's beginning, accents and case aside. Words are runs of letters and digits, as in the
-- embedded store's index. Kept by triggers, so that every way a row is written (routing's
-- commits, a migration) indexes it.
-- Accents aside, as the embedded store's index: unaccent ships with PostgreSQL (a trusted
-- extension, which the database's owner may create).
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE FUNCTION switchboard_words(text TEXT) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN to_tsvector('simple',
        regexp_replace(public.unaccent(coalesce(text, '')), '[^[:alnum:]]+', ' ', 'g'));

CREATE TABLE search_text (
    id BIGINT GENERATED ALWAYS AS IDENTITY, -- the order rows were indexed in
    conversation_id TEXT NOT NULL,
    kind TEXT NOT NULL,              -- 'message' or 'customer'
    text TEXT NOT NULL,
    words tsvector NOT NULL
);
CREATE INDEX search_text_words ON search_text USING gin (words);
CREATE INDEX search_text_conversation ON search_text (conversation_id, kind);

-- The agents who took part in a conversation: who held it, joined it or wrote in it.
CREATE TABLE conversation_agents (
    agent_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    PRIMARY KEY (agent_id, conversation_id)
);

CREATE FUNCTION switchboard_message_searched() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    agent TEXT := NEW.body::json #>> '{from,agent}';
    message_text TEXT := coalesce(NEW.body::json ->> 'text', '');
BEGIN
    INSERT INTO search_text (conversation_id, kind, text, words) VALUES (NEW.conversation_id, 'message', message_text, switchboard_words(message_text));
    IF agent IS NOT NULL THEN
        INSERT INTO conversation_agents VALUES (agent, NEW.conversation_id) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER messages_searched AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION switchboard_message_searched();

CREATE FUNCTION switchboard_customer_text(record TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE
    RETURN concat_ws(' ', record::json #>> '{customer,name}', record::json #>> '{customer,email}',
        record::json #>> '{customer,phone}');

CREATE FUNCTION switchboard_conversation_searched() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    customer TEXT := switchboard_customer_text(NEW.record);
    agent TEXT := NEW.record::json #>> '{status,agent}';
BEGIN
    IF TG_OP = 'INSERT' OR customer IS DISTINCT FROM switchboard_customer_text(OLD.record) THEN
        DELETE FROM search_text WHERE conversation_id = NEW.id AND kind = 'customer';
        INSERT INTO search_text (conversation_id, kind, text, words) VALUES (NEW.id, 'customer', customer, switchboard_words(customer));
    END IF;
    IF agent IS NOT NULL THEN
        INSERT INTO conversation_agents VALUES (agent, NEW.id) ON CONFLICT DO NOTHING;
    END IF;
    INSERT INTO conversation_agents
        SELECT member, NEW.id FROM json_array_elements_text(NEW.record::json -> 'conference') AS member
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER conversations_searched AFTER INSERT OR UPDATE OF record ON conversations
    FOR EACH ROW EXECUTE FUNCTION switchboard_conversation_searched();

-- What was stored before search existed.
INSERT INTO search_text (conversation_id, kind, text, words)
    SELECT conversation_id, 'message', coalesce(body::json ->> 'text', ''),
        switchboard_words(body::json ->> 'text')
    FROM messages;
INSERT INTO search_text (conversation_id, kind, text, words)
    SELECT id, 'customer', switchboard_customer_text(record),
        switchboard_words(switchboard_customer_text(record))
    FROM conversations;
INSERT INTO conversation_agents
    SELECT DISTINCT body::json #>> '{from,agent}', conversation_id FROM messages
    WHERE body::json #>> '{from,agent}' IS NOT NULL
    ON CONFLICT DO NOTHING;
