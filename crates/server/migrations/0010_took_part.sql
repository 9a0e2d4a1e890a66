-- An agent who accepted a conversation took part in it even if they never wrote in it: one
-- accepted and ended within a single journal apply never had its held state written, so the
-- conversations' trigger never saw its agent. The facts say who accepted.
CREATE TRIGGER facts_took_part AFTER INSERT ON facts
WHEN json_extract(new.body, '$.kind') = 'accepted' AND json_extract(new.body, '$.agent') IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO conversation_agents (agent_id, conversation_id)
        VALUES (json_extract(new.body, '$.agent'), new.conversation_id);
END;
