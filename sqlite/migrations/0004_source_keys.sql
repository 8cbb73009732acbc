-- Sources' Ed25519 public keys: a projection of the log, one row per entry
-- that sets a key (a "source" entry registering a source with one, or a
-- "source_key" entry). The key in force for a source is its row with the
-- largest log_index; earlier rows are its key history.
CREATE TABLE source_keys (
	source     TEXT    NOT NULL,
	log_index  INTEGER NOT NULL,        -- the entry that set the key
	public_key TEXT    NOT NULL,        -- base64 of the 32-byte key
	PRIMARY KEY (source, log_index)
);
