-- Selective disclosure (docs/disclosure.md). An observation's log entry
-- holds its public form; its private groups, with their salts, are kept
-- here beside the log, one row per sealed observation (an open source's
-- observations have none). Like the checkpoints, these rows are not a
-- projection: the log commits to them, and truce verify checks every row
-- against its entry's commitments.
CREATE TABLE observation_private (
	log_index INTEGER PRIMARY KEY,  -- the observation's entry
	parts     BLOB    NOT NULL      -- canonical JSON of truce.PrivateParts
);
-- The store's secret sealing key, from which every salt and public id is
-- derived (truce.Salt): one row, made when the store is created.
CREATE TABLE sealing_key (
	id  INTEGER PRIMARY KEY CHECK (id = 1),
	key BLOB    NOT NULL CHECK (length(key) = 32)
);
-- The public id of each observation, by which incidents, findings and
-- readers other than its source name it. It has no index: an index of
-- random 34-byte keys cost ingest a quarter of its throughput, and only
-- reviews' evidence looks observations up by it (a scan, for now).
ALTER TABLE observations ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
