-- As `migrations/0010_took_part.sql`: an agent who accepted a conversation took part in it.
CREATE FUNCTION switchboard_fact_took_part() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.body::json ->> 'kind' = 'accepted' AND NEW.body::json ->> 'agent' IS NOT NULL THEN
        INSERT INTO conversation_agents VALUES (NEW.body::json ->> 'agent', NEW.conversation_id)
            ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER facts_took_part AFTER INSERT ON facts
    FOR EACH ROW EXECUTE FUNCTION switchboard_fact_took_part();
