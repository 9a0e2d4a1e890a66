-- Several nodes, one routing: the others forward their clients' requests to it through
-- `forwarded` (woken by NOTIFY switchboard_forwarded), and it sends each node what its clients
-- are owed with NOTIFY on the node's own channel. None of this needs to outlive a crash of
-- PostgreSQL (clients resume from the outbox and retry what was not answered): no WAL for it,
-- and no wait for the log's flush when its transactions commit (`synchronous_commit` off for
-- them alone: a notification needs a transaction id, and so a commit record).

-- Requests from a node that does not route, stamped with the routing term they were sent to: a
-- node that routes takes them in order and ignores those sent to an earlier term.
CREATE UNLOGGED TABLE forwarded (
    id BIGSERIAL PRIMARY KEY,
    term BIGINT NOT NULL,
    instance TEXT NOT NULL,
    request TEXT NOT NULL
);

-- What a notification could not carry (its payload is limited to 8000 bytes), read once.
CREATE UNLOGGED TABLE relayed (
    id BIGSERIAL PRIMARY KEY,
    payload TEXT NOT NULL
);

-- Each running node (one row per process), as last seen: the routing node lets the clients of a
-- node that stopped being seen go.
CREATE UNLOGGED TABLE nodes (
    instance TEXT PRIMARY KEY,
    node TEXT NOT NULL,
    seen_at TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION switchboard_forward(sent_to BIGINT, sender TEXT, requests TEXT[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    INSERT INTO forwarded (term, instance, request)
    SELECT sent_to, sender, r FROM unnest(requests) WITH ORDINALITY AS t(r, n) ORDER BY n;
    PERFORM pg_notify('switchboard_forwarded', '');
END $$;

-- Sends each payload to its channel, in order; a payload too long for a notification is stored
-- in `relayed` and the notification names it (`@id`).
CREATE FUNCTION switchboard_notify(channels TEXT[], payloads TEXT[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    i INT;
    stored BIGINT;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    FOR i IN 1 .. coalesce(array_length(channels, 1), 0) LOOP
        IF octet_length(payloads[i]) < 7900 THEN
            PERFORM pg_notify(channels[i], payloads[i]);
        ELSE
            INSERT INTO relayed (payload) VALUES (payloads[i]) RETURNING id INTO stored;
            PERFORM pg_notify(channels[i], '@' || stored);
        END IF;
    END LOOP;
END $$;

-- Takes every forwarded request, in the order each node sent them.
CREATE FUNCTION switchboard_take_forwarded()
RETURNS TABLE (term BIGINT, instance TEXT, request TEXT) LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    RETURN QUERY
    WITH taken AS (DELETE FROM forwarded RETURNING forwarded.id, forwarded.term,
                   forwarded.instance, forwarded.request)
    SELECT taken.term, taken.instance, taken.request FROM taken ORDER BY taken.id;
END $$;
