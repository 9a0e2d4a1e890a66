-- A commit's first try inserts messages and events plainly; only a try made again, after a
-- failure that may have hidden a commit (the connection lost with its answer), skips what is
-- already there. `ON CONFLICT DO NOTHING` on every try made each of these inserts a speculative
-- one — an index search before the row, a confirmation after it in the log — at twice a plain
-- insert's time (60,000 events: 440 ms against 220 ms). A conflict on a first try is a bug: it
-- now fails the commit instead of passing unseen.
DROP FUNCTION switchboard_commit(
    BIGINT, INTERVAL, BIGINT,
    TEXT[], TEXT[], TEXT[], TEXT[],
    TEXT[], TEXT[], BOOLEAN[], TEXT[],
    TEXT[], TEXT[],
    TEXT[], TEXT[], BIGINT[],
    TEXT[], BIGINT[], TEXT[],
    TEXT[], BIGINT[], TEXT[],
    TEXT[], BIGINT[],
    TEXT[], TEXT[], TEXT[],
    TEXT[],
    TEXT[], BIGINT[], BIGINT[], TEXT[],
    TEXT[], TEXT[], TEXT[], TEXT[]
);

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
    webhook_ids TEXT[], webhook_sources TEXT[], webhook_subjects TEXT[], webhook_bodies TEXT[],
    retried BOOLEAN
) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    -- What a commit tried again may find already written, by the try whose outcome was lost.
    written_before TEXT := CASE WHEN retried THEN ' ON CONFLICT DO NOTHING' ELSE '' END;
BEGIN
    IF fence_term <> 0 THEN
        UPDATE leadership SET expires_at = greatest(expires_at, now() + lease)
        WHERE term = fence_term;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'another node routes now: this node''s term % has passed', fence_term
                USING ERRCODE = 'SBFEN';
        END IF;
    END IF;
    IF cardinality(new_ids) > 0 THEN
        EXECUTE 'INSERT INTO conversations (id, token_hash, record, open, contact_id)
            SELECT id, token_hash, record, true, contact_id
            FROM UNNEST($1, $2, $3, $4) AS n (id, token_hash, record, contact_id)
            ON CONFLICT DO NOTHING'
            USING new_ids, new_tokens, new_records, new_contacts;
    END IF;
    IF cardinality(changed_ids) > 0 THEN
        EXECUTE 'UPDATE conversations AS c
            SET record = u.record, open = u.open, contact_id = u.contact_id
            FROM UNNEST($1, $2, $3, $4) AS u (id, record, open, contact_id)
            WHERE c.id = u.id'
            USING changed_ids, changed_records, changed_open, changed_contacts;
    END IF;
    IF cardinality(token_ids) > 0 THEN
        EXECUTE 'UPDATE conversations AS c SET token_hash = u.token_hash
            FROM UNNEST($1, $2) AS u (id, token_hash) WHERE c.id = u.id'
            USING token_ids, token_hashes;
    END IF;
    IF cardinality(presence_agents) > 0 THEN
        EXECUTE 'UPDATE agents AS a SET presence = u.presence, presence_since = u.since
            FROM UNNEST($1, $2, $3) AS u (id, presence, since) WHERE a.id = u.id'
            USING presence_agents, presence_values, presence_times;
    END IF;
    IF cardinality(message_ids) > 0 THEN
        EXECUTE 'INSERT INTO messages (conversation_id, id, body)
            SELECT * FROM UNNEST($1, $2, $3)' || written_before
            USING message_conversations, message_ids, message_bodies;
    END IF;
    IF cardinality(event_seqs) > 0 THEN
        EXECUTE 'INSERT INTO outbox (stream, seq, event)
            SELECT * FROM UNNEST($1, $2, $3)' || written_before
            USING event_streams, event_seqs, event_bodies;
    END IF;
    IF cardinality(head_seqs) > 0 THEN
        EXECUTE 'INSERT INTO stream_heads (stream, last_seq)
            SELECT * FROM UNNEST($1, $2)
            ON CONFLICT (stream)
            DO UPDATE SET last_seq = greatest(stream_heads.last_seq, excluded.last_seq)'
            USING head_streams, head_seqs;
    END IF;
    IF cardinality(reply_commands) > 0 THEN
        EXECUTE 'INSERT INTO replies (stream, command_id, reply, created_at)
            SELECT s, c, r, $4 FROM UNNEST($1, $2, $3) AS u (s, c, r)
            ON CONFLICT (stream, command_id)
            DO UPDATE SET reply = excluded.reply, created_at = excluded.created_at'
            USING reply_streams, reply_commands, reply_bodies, now_millis;
    END IF;
    IF cardinality(removed_queue_ids) > 0 THEN
        EXECUTE 'INSERT INTO removed_queues (id, removed_at)
            SELECT id, $2 FROM UNNEST($1) AS q (id) ON CONFLICT DO NOTHING'
            USING removed_queue_ids, now_millis;
    END IF;
    IF cardinality(fact_numbers) > 0 THEN
        EXECUTE 'INSERT INTO facts (conversation_id, number, at, body)
            SELECT * FROM UNNEST($1, $2, $3, $4) ON CONFLICT DO NOTHING'
            USING fact_conversations, fact_numbers, fact_times, fact_bodies;
    END IF;
    IF cardinality(webhook_ids) > 0 THEN
        -- In the order given: the order the steps were taken.
        EXECUTE 'INSERT INTO webhook_events (event_id, source, subject, body)
            SELECT i, s, j, b FROM UNNEST($1, $2, $3, $4) WITH ORDINALITY AS e (i, s, j, b, n)
            ORDER BY n
            ON CONFLICT DO NOTHING'
            USING webhook_ids, webhook_sources, webhook_subjects, webhook_bodies;
    END IF;
END
$$;

