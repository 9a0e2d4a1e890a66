-- Event webhooks: as `migrations/0012_event_webhooks.sql`. Only the routing node writes events,
-- one fenced commit at a time, so their ids follow the order of the steps; the commit function
-- takes them too.
CREATE TABLE event_webhooks (
    name TEXT PRIMARY KEY,
    delivered_through BIGINT NOT NULL
);

CREATE TABLE webhook_events (
    id BIGSERIAL PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL
);

DROP FUNCTION switchboard_commit;
CREATE FUNCTION switchboard_commit(
    fence_term BIGINT, lease INTERVAL, now_millis BIGINT,
    new_ids TEXT[], new_tokens TEXT[], new_records TEXT[], new_contacts TEXT[],
    changed_ids TEXT[], changed_records TEXT[], changed_open BOOLEAN[], changed_contacts TEXT[],
    token_ids TEXT[], token_hashes TEXT[],
    presence_agents TEXT[], presence_values TEXT[], presence_times BIGINT[],
    message_conversations TEXT[], message_ids BIGINT[], message_bodies TEXT[],
    event_streams TEXT[], event_seqs BIGINT[], event_bodies TEXT[],
    head_streams TEXT[], head_seqs BIGINT[],
    reply_streams TEXT[], reply_commands TEXT[], reply_bodies TEXT[],
    removed_queue_ids TEXT[],
    fact_conversations TEXT[], fact_numbers BIGINT[], fact_times BIGINT[], fact_bodies TEXT[],
    webhook_ids TEXT[], webhook_sources TEXT[], webhook_subjects TEXT[], webhook_bodies TEXT[]
) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    IF fence_term <> 0 THEN
        UPDATE leadership SET expires_at = greatest(expires_at, now() + lease)
        WHERE term = fence_term;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'another node routes now: this node''s term % has passed', fence_term
                USING ERRCODE = 'SBFEN';
        END IF;
    END IF;
    INSERT INTO conversations (id, token_hash, record, open, contact_id)
        SELECT id, token_hash, record, true, contact_id
        FROM UNNEST(new_ids, new_tokens, new_records, new_contacts)
            AS n (id, token_hash, record, contact_id)
        ON CONFLICT DO NOTHING;
    UPDATE conversations AS c SET record = u.record, open = u.open, contact_id = u.contact_id
        FROM UNNEST(changed_ids, changed_records, changed_open, changed_contacts)
            AS u (id, record, open, contact_id)
        WHERE c.id = u.id;
    UPDATE conversations AS c SET token_hash = u.token_hash
        FROM UNNEST(token_ids, token_hashes) AS u (id, token_hash) WHERE c.id = u.id;
    UPDATE agents AS a SET presence = u.presence, presence_since = u.since
        FROM UNNEST(presence_agents, presence_values, presence_times) AS u (id, presence, since)
        WHERE a.id = u.id;
    INSERT INTO messages (conversation_id, id, body)
        SELECT * FROM UNNEST(message_conversations, message_ids, message_bodies)
        ON CONFLICT DO NOTHING;
    INSERT INTO outbox (stream, seq, event)
        SELECT * FROM UNNEST(event_streams, event_seqs, event_bodies)
        ON CONFLICT DO NOTHING;
    INSERT INTO stream_heads (stream, last_seq)
        SELECT * FROM UNNEST(head_streams, head_seqs)
        ON CONFLICT (stream)
        DO UPDATE SET last_seq = greatest(stream_heads.last_seq, excluded.last_seq);
    INSERT INTO replies (stream, command_id, reply, created_at)
        SELECT s, c, r, now_millis FROM UNNEST(reply_streams, reply_commands, reply_bodies)
            AS u (s, c, r)
        ON CONFLICT (stream, command_id)
        DO UPDATE SET reply = excluded.reply, created_at = excluded.created_at;
    INSERT INTO removed_queues (id, removed_at)
        SELECT id, now_millis FROM UNNEST(removed_queue_ids) AS q (id)
        ON CONFLICT DO NOTHING;
    INSERT INTO facts (conversation_id, number, at, body)
        SELECT * FROM UNNEST(fact_conversations, fact_numbers, fact_times, fact_bodies)
        ON CONFLICT DO NOTHING;
    -- In the order given: the order the steps were taken.
    INSERT INTO webhook_events (event_id, source, subject, body)
        SELECT i, s, j, b FROM UNNEST(webhook_ids, webhook_sources, webhook_subjects, webhook_bodies)
            WITH ORDINALITY AS e (i, s, j, b, n)
        ORDER BY n
        ON CONFLICT DO NOTHING;
END
$$;

-- Plans made for each call's rows (see 0004_commit_plans.sql).
ALTER FUNCTION switchboard_commit SET plan_cache_mode = force_custom_plan;
