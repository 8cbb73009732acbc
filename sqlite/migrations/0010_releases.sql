-- Releases of private groups (docs/disclosure.md): a projection of the
-- log's "release" entries. Reads look releases up by the observation's
-- public id; the table is small (a reviewer's decisions), so its index
-- costs ingest nothing.
CREATE TABLE releases (
	log_index   INTEGER PRIMARY KEY,  -- the entry
	id          TEXT    NOT NULL UNIQUE,
	observation TEXT    NOT NULL,     -- the observation's public id
	groups      TEXT    NOT NULL,     -- the groups released, comma-separated, in name order
	audience    TEXT    NOT NULL,     -- "public" or "party:<ID>"
	source      TEXT    NOT NULL      -- who released
);
CREATE INDEX releases_observation ON releases (observation);
