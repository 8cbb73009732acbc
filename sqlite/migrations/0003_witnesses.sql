-- Witnesses registered to cosign checkpoints: a projection of the log's
-- "witness" entries, one row per witness name.
CREATE TABLE witnesses (
	name      TEXT PRIMARY KEY,         -- the witness's key name
	key       TEXT    NOT NULL,         -- its cosignature/v1 verifier key
	log_index INTEGER NOT NULL          -- the witness entry
);

-- Witnesses' cosignatures of signed checkpoints, kept beside the log like
-- the checkpoints themselves (they are not entries). Rows are only ever
-- inserted: a witness's first cosignature of a checkpoint is kept.
CREATE TABLE cosignatures (
	size      INTEGER NOT NULL,         -- the checkpoint cosigned
	witness   TEXT    NOT NULL,         -- the registered witness's name
	line      TEXT    NOT NULL,         -- the signature line, byte for byte
	signed_at TEXT    NOT NULL,         -- the time it states, RFC 3339 UTC
	PRIMARY KEY (size, witness)
);
