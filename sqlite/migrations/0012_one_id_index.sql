-- One random-key index finds observations both ways. An observation's
-- public id is a function of its source and id under the store's sealing
-- key (truce.PublicID, with the salt truce.Salt gives its source group, or
-- none for an open source), so the store finds (source, id) by computing
-- the public ids it may have and looking them up through public_key; the
-- id_key index beside it cost every append a second insert into an index
-- of random keys. A store restored from a reader's bundle has no sealing
-- key to compute with: Restore indexes (source, id) of its own.
DROP INDEX observations_id;
ALTER TABLE observations DROP COLUMN id_key;
