-- Search: the words of every message and of each conversation's customer (name, e-mail, phone),
-- found by a word's beginning, accents and case aside. Kept by triggers, so that every way a row
-- is written (routing's commits, the journal's applies, a migration) indexes it, and a row the
-- journal applies again (INSERT OR IGNORE) is not indexed twice.
CREATE VIRTUAL TABLE search_text USING fts5(
    conversation_id UNINDEXED,
    kind UNINDEXED,                  -- 'message' or 'customer'
    text,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The agents who took part in a conversation: who held it, joined it or wrote in it. An agent's
-- search finds only theirs.
CREATE TABLE conversation_agents (
    agent_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    PRIMARY KEY (agent_id, conversation_id)
) WITHOUT ROWID;

CREATE TRIGGER messages_searched AFTER INSERT ON messages BEGIN
    INSERT INTO search_text (conversation_id, kind, text)
        VALUES (new.conversation_id, 'message', json_extract(new.body, '$.text'));
    INSERT OR IGNORE INTO conversation_agents (agent_id, conversation_id)
        SELECT json_extract(new.body, '$.from.agent'), new.conversation_id
        WHERE json_extract(new.body, '$.from.agent') IS NOT NULL;
END;

CREATE TRIGGER conversations_searched AFTER INSERT ON conversations BEGIN
    INSERT INTO search_text (conversation_id, kind, text)
        VALUES (new.id, 'customer', concat_ws(' ',
            json_extract(new.record, '$.customer.name'),
            json_extract(new.record, '$.customer.email'),
            json_extract(new.record, '$.customer.phone')));
    INSERT OR IGNORE INTO conversation_agents (agent_id, conversation_id)
        SELECT json_extract(new.record, '$.status.agent'), new.id
        WHERE json_extract(new.record, '$.status.agent') IS NOT NULL;
END;

CREATE TRIGGER conversations_customer_changed AFTER UPDATE OF record ON conversations
WHEN json_extract(old.record, '$.customer') IS NOT json_extract(new.record, '$.customer') BEGIN
    DELETE FROM search_text WHERE conversation_id = old.id AND kind = 'customer';
    INSERT INTO search_text (conversation_id, kind, text)
        VALUES (new.id, 'customer', concat_ws(' ',
            json_extract(new.record, '$.customer.name'),
            json_extract(new.record, '$.customer.email'),
            json_extract(new.record, '$.customer.phone')));
END;

CREATE TRIGGER conversations_joined AFTER UPDATE OF record ON conversations BEGIN
    INSERT OR IGNORE INTO conversation_agents (agent_id, conversation_id)
        SELECT json_extract(new.record, '$.status.agent'), new.id
        WHERE json_extract(new.record, '$.status.agent') IS NOT NULL;
    INSERT OR IGNORE INTO conversation_agents (agent_id, conversation_id)
        SELECT value, new.id FROM json_each(new.record, '$.conference');
END;

-- What was stored before search existed.
INSERT INTO search_text (conversation_id, kind, text)
    SELECT conversation_id, 'message', json_extract(body, '$.text') FROM messages;
INSERT INTO search_text (conversation_id, kind, text)
    SELECT id, 'customer', concat_ws(' ',
        json_extract(record, '$.customer.name'),
        json_extract(record, '$.customer.email'),
        json_extract(record, '$.customer.phone'))
    FROM conversations;
INSERT OR IGNORE INTO conversation_agents (agent_id, conversation_id)
    SELECT json_extract(body, '$.from.agent'), conversation_id FROM messages
    WHERE json_extract(body, '$.from.agent') IS NOT NULL;
