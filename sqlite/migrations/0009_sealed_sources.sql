-- Sealed sources (docs/log-format.md §14). A source whose role the
-- disclosure policy does not leave open is named in the log by its
-- pseudonym: its entry commits to its name and description, which are
-- kept here, one row per sealed source entry, and every later entry names
-- it by public_name (credential and source_key entries, entry headers,
-- reviews). Sources registered before this migration keep the names their
-- entries already made public.
ALTER TABLE sources ADD COLUMN public_name TEXT NOT NULL DEFAULT '';
UPDATE sources SET public_name = name;
CREATE TABLE source_private (
	log_index INTEGER PRIMARY KEY,  -- the source entry
	part      BLOB    NOT NULL      -- canonical JSON of the truce.SealedGroup
);
