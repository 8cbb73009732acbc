-- Finding series and their versions: derivations, not projections. Package
-- findings recomputes them from a log prefix (correlation, then
-- adjudication) and records a version whenever a series says something new;
-- rows are only ever inserted. They are not rebuilt from the log by
-- Rebuild, which keeps them, nor compared by Verify: anyone recomputes a
-- version from the log prefix of its log_size.
CREATE TABLE finding_versions (
	series            TEXT    NOT NULL,  -- UUIDv5 of agreement, version and anchor
	version           INTEGER NOT NULL,  -- 1, 2, … within the series
	content_id        TEXT    NOT NULL,  -- hex SHA-256 of what the version says
	agreement         TEXT    NOT NULL,
	agreement_version INTEGER NOT NULL,
	anchor            TEXT    NOT NULL,  -- the incident's observation with the lowest log index
	anchor_index      INTEGER NOT NULL,
	log_size          INTEGER NOT NULL,  -- the log prefix it was derived from
	engine            TEXT    NOT NULL,
	finding_id        TEXT    NOT NULL DEFAULT '', -- the engine's finding id; '' when withdrawn
	finding           BLOB    NOT NULL DEFAULT '', -- the finding's JSON; '' when withdrawn
	observations      TEXT    NOT NULL DEFAULT '', -- the incident's observation ids, in log order, comma-separated
	withdrawn         INTEGER NOT NULL DEFAULT 0,
	merged_into       TEXT    NOT NULL DEFAULT '',
	-- What listings filter on, copied from the finding.
	violation         INTEGER NOT NULL DEFAULT 0,
	rule              TEXT    NOT NULL DEFAULT '',
	party             TEXT    NOT NULL DEFAULT '',
	confidence        TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (series, version)
);
CREATE INDEX finding_versions_content ON finding_versions (content_id);
CREATE INDEX finding_versions_finding ON finding_versions (finding_id) WHERE finding_id <> '';
CREATE INDEX finding_versions_agreement ON finding_versions (agreement, agreement_version);

-- Each recorded recomputation: the log prefix it read, so that a run from
-- a shorter prefix than one already recorded is refused.
CREATE TABLE finding_runs (
	agreement         TEXT    NOT NULL,
	agreement_version INTEGER NOT NULL,
	log_size          INTEGER NOT NULL,
	engine            TEXT    NOT NULL,
	PRIMARY KEY (agreement, agreement_version, log_size)
);

-- Reviews of findings: a projection of the log's "review" entries.
CREATE TABLE reviews (
	log_index INTEGER PRIMARY KEY,        -- the entry
	id        TEXT    NOT NULL UNIQUE,
	series    TEXT    NOT NULL,
	version   INTEGER NOT NULL,
	action    TEXT    NOT NULL,
	dispute   TEXT    NOT NULL DEFAULT '', -- a resolution's dispute
	source    TEXT    NOT NULL
);
CREATE INDEX reviews_series ON reviews (series);
CREATE INDEX reviews_dispute ON reviews (dispute) WHERE dispute <> '';
