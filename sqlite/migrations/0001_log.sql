-- The log: one row per entry, never updated or deleted.
CREATE TABLE entries (
	idx          INTEGER PRIMARY KEY,      -- 0-based position in the log
	type         TEXT    NOT NULL,
	time         TEXT    NOT NULL,         -- RFC 3339 UTC, nanoseconds
	submitter    TEXT    NOT NULL,
	data         BLOB    NOT NULL,         -- canonical JSON
	-- The Merkle tree (RFC 6962) hashes that this entry completes, 32 bytes
	-- each: its leaf hash, SHA-256(0x00 || encoded entry) — the entry's
	-- content hash, which the log commits to — then the hash of
	-- every subtree it closes, level by level (as many as idx has trailing
	-- one bits). These are golang.org/x/mod/sumdb/tlog's stored hashes for
	-- the entry, so the tree root and any proof are read, never recomputed.
	tree_hashes  BLOB    NOT NULL
);

-- Projections of the log. Each row names its entry by log_index; the
-- writer appends the entry and its row in one transaction, and the tables
-- can be rebuilt from the entries.
CREATE TABLE sources (
	name         TEXT PRIMARY KEY,
	role         TEXT NOT NULL,
	party        TEXT NOT NULL DEFAULT '',
	log_index    INTEGER NOT NULL            -- the entry
);

-- Credentials are not part of the record: the log says when a token was
-- issued to a source (a "credential" entry), never what it is. This table
-- keeps the SHA-256 of each source's current token; issuing a new one
-- replaces it.
CREATE TABLE credentials (
	source       TEXT PRIMARY KEY,
	token_sha256 TEXT NOT NULL UNIQUE,
	log_index    INTEGER NOT NULL            -- the credential entry
);

CREATE TABLE agreements (
	id        TEXT    NOT NULL,
	version   INTEGER NOT NULL,
	log_index INTEGER NOT NULL,
	PRIMARY KEY (id, version)
);

CREATE TABLE observations (
	log_index    INTEGER PRIMARY KEY,    -- the entry; appends go to the end
	id_key       INTEGER NOT NULL,       -- first 8 bytes of SHA-256(id), big-endian, signed
	id           TEXT    NOT NULL,
	source       TEXT    NOT NULL,
	role         TEXT    NOT NULL,
	kind         TEXT    NOT NULL,
	observed_at  INTEGER NOT NULL,       -- Unix nanoseconds
	lon          REAL,                   -- estimated point, if any
	lat          REAL,
	blamed_party TEXT    NOT NULL DEFAULT '',
	supersedes   TEXT    NOT NULL DEFAULT ''
);
-- Ids are found through a fixed-size hash key: a small index that random
-- UUIDs keep balanced cheaply. The writer checks every id before it appends,
-- so an id occurs once.
CREATE INDEX observations_id ON observations (id_key);
-- Queries walk observations in time order, ties in log order; the other
-- filters are applied on that walk (an index per filter would cost every
-- write more than it saves the reads this store serves).
CREATE INDEX observations_time ON observations (observed_at);
-- Corrections: which observations supersede which (few rows have one).
CREATE INDEX observations_supersedes ON observations (supersedes) WHERE supersedes <> '';

CREATE TABLE control_maps (
	id        TEXT PRIMARY KEY,
	log_index INTEGER NOT NULL,
	source    TEXT    NOT NULL,
	as_of     INTEGER NOT NULL           -- Unix nanoseconds
);
CREATE INDEX control_maps_as_of ON control_maps (source, as_of);
