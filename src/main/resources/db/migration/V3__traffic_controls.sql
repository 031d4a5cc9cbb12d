-- What operators change at run time of the limits on what reaches Genesys: one row per action they changed, and one
-- for the whole service, whose scope is the empty string (no action id is empty). NULL limits follow the
-- configuration. Every replica reads this table each poll interval.
CREATE TABLE traffic_controls (
    scope          text        PRIMARY KEY,
    paused         boolean     NOT NULL DEFAULT false,
    pause_reason   text,
    max_concurrent integer,
    max_per_second float8,
    changed_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The retries a pause holds, which every replica makes due again once the pause is lifted.
CREATE INDEX retries_paused ON retries (action_id) WHERE status = 'PENDING' AND (last_error->>'code') = 'action.paused';
