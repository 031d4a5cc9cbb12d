-- PostgreSQL's jsonb cannot hold the NUL character (\u0000), which JSON allows and which callers and Genesys may send.
-- The caller's payload and what Genesys answered are kept as json: the text exactly as it was written, NUL included.
ALTER TABLE retries ALTER COLUMN payload TYPE json USING payload::json,
                    ALTER COLUMN result TYPE json USING result::json,
                    ALTER COLUMN last_error TYPE json USING last_error::json;

-- Every replica announces itself here each poll interval, on the database's clock. A replica whose heartbeat is older
-- than orchestrator.postgres.replica-timeout is taken for dead, and the retries it held are taken over by the others.
CREATE TABLE replicas (
    replica_id   text        PRIMARY KEY,
    heartbeat_at timestamptz NOT NULL
);

-- The claim query looks up the holder of each due retry.
CREATE INDEX retries_leased_by ON retries (leased_by) WHERE leased_by IS NOT NULL;
