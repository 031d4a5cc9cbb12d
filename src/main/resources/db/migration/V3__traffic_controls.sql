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
