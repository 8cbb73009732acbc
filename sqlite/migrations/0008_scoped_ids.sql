-- Observation ids are scoped by source: two sources may file the same id,
-- and neither can take one the other will use. id_key becomes the first 8
-- bytes of SHA-256(source || "\n" || id); the store recomputes it for every
-- row after this script (see afterMigration in db.go).
--
-- Observations are also found by public id, through public_key: the first 8
-- bytes the public id's hex digits encode, big-endian, signed. An index of
-- 8-byte integers costs ingest far less than one of the 34-byte ids.
ALTER TABLE observations ADD COLUMN public_key INTEGER NOT NULL DEFAULT 0;
CREATE INDEX observations_public ON observations (public_key);
