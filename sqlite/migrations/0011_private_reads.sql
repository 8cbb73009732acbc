-- The audit trail of private reads (docs/disclosure.md): who was shown
-- which private groups of which observation, when. Kept beside the log,
-- not a projection of it: Rebuild leaves it alone, and only admins read
-- it.
CREATE TABLE private_reads (
	id          INTEGER PRIMARY KEY,  -- in the order recorded
	at          TEXT    NOT NULL,     -- RFC 3339, UTC
	audience    TEXT    NOT NULL,     -- "mission", "party:<ID>", "source:<NAME>", "public"
	reader      TEXT    NOT NULL,     -- the reader's source name; '' for the public
	observation TEXT    NOT NULL,     -- the observation's public id
	log_index   INTEGER NOT NULL,     -- its entry
	groups      TEXT    NOT NULL,     -- the groups shown, comma-separated, in name order
	request_id  TEXT    NOT NULL
);
CREATE INDEX private_reads_observation ON private_reads (observation, id);
