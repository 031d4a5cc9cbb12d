-- Whether a retry asks Genesys for its output flattened the way Architect reads it (?flatten=true).
ALTER TABLE retries ADD COLUMN flatten boolean NOT NULL DEFAULT false;
