-- The console pages through retries newest first with a keyset on (accepted_at, request_id): with request_id in the
-- index, the cursor is a condition of the index scan and no tie of accepted_at needs a sort. It replaces the index on
-- accepted_at alone, which nothing else reads.
CREATE INDEX retries_newest ON retries (accepted_at DESC, request_id DESC);
DROP INDEX retries_accepted;

-- Operators look a retry up by the run id they were given, whatever its action.
CREATE INDEX retries_run ON retries (original_run_id);

-- The attempts per minute since an instant open the retries unfinished (completed_at IS NULL) or finished since then;
-- the index on completed_at now holds the unfinished ones too, so one index finds both. The purge reads it as before.
CREATE INDEX retries_completed_or_not ON retries (completed_at);
DROP INDEX retries_completed;
