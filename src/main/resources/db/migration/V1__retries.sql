-- Every accepted retry, from acceptance until the purge job removes it after its retention.
CREATE TABLE retries (
    request_id         uuid        PRIMARY KEY,
    action_id          text        NOT NULL,
    original_run_id    text        NOT NULL,
    -- the action's input as the caller sent it: personal data, read only to execute the action
    payload            jsonb       NOT NULL,
    status             text        NOT NULL CHECK (status IN ('PENDING', 'IN_FLIGHT', 'SUCCEEDED', 'FAILED', 'EXHAUSTED', 'CANCELLED')),
    attempts           jsonb       NOT NULL DEFAULT '[]',
    attempts_used      integer     NOT NULL DEFAULT 0,
    -- when the next attempt is due (PENDING) or when the attempt on the wire started (IN_FLIGHT)
    due_at             timestamptz,
    -- the attempt on the wire, so that a replica taking the retry over can record it as interrupted
    attempt_number     integer,
    result             jsonb,
    run_id             text,
    last_error         jsonb,
    accepted_at        timestamptz NOT NULL,
    deadline           timestamptz NOT NULL,
    completed_at       timestamptz,
    -- the replica driving the retry, until lease_until; an expired lease is taken over by any replica
    leased_by          text,
    lease_until        timestamptz
);

-- Idempotency on (action_id, original_run_id): at most one retry holds the key, an unfinished or a succeeded one.
-- A failed, exhausted or cancelled retry frees it, so that the execution can be submitted (redriven) again.
CREATE UNIQUE INDEX retries_key_holder ON retries (action_id, original_run_id)
    WHERE status IN ('PENDING', 'IN_FLIGHT', 'SUCCEEDED');

-- The replicas' claim query and the backlog count read only unfinished retries.
CREATE INDEX retries_unfinished_due ON retries (due_at) WHERE status IN ('PENDING', 'IN_FLIGHT');

-- Listing newest first, by status or action, and the purge of finished retries.
CREATE INDEX retries_accepted ON retries (accepted_at DESC);
CREATE INDEX retries_action_accepted ON retries (action_id, accepted_at DESC);
CREATE INDEX retries_status_accepted ON retries (status, accepted_at DESC);
CREATE INDEX retries_completed ON retries (completed_at) WHERE completed_at IS NOT NULL;
