-- Signed checkpoints: the log's signed statements about its tree, kept
-- beside the log (they are not entries). Rows are only ever inserted, with
-- sizes that do not decrease, and one root per size.
CREATE TABLE checkpoints (
	size      INTEGER PRIMARY KEY,      -- entries covered
	root      BLOB    NOT NULL,         -- RFC 6962 root hash, 32 bytes
	note      BLOB    NOT NULL,         -- the signed note, byte for byte
	signed_at TEXT    NOT NULL          -- RFC 3339 UTC, nanoseconds
);
