-- The keyed hash (HMAC under the province's key) of a patient's citizen-ID number, as the province sends it; a scanned
-- card is hashed and looked up here. The number, name and birth date on the card are never stored.
ALTER TABLE accounts ADD COLUMN citizen_id_hash TEXT;
CREATE INDEX accounts_citizen_id ON accounts (citizen_id_hash) WHERE citizen_id_hash IS NOT NULL;
-- Accounts cached before this step lack it: the next pull is a full one.
DELETE FROM settings WHERE key = 'sync.cursor';
