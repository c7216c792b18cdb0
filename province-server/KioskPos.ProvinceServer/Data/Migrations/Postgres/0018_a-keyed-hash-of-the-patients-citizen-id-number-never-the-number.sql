-- The keyed hash (HMAC-SHA256 under the province's key) of a patient's citizen-ID (CCCD) number, read from the
-- hospital's XML; terminals find the patient by it when the card's QR is scanned. The number is never stored.
ALTER TABLE accounts ADD COLUMN citizen_id_hash TEXT;
CREATE INDEX accounts_citizen_id ON accounts (citizen_id_hash) WHERE citizen_id_hash IS NOT NULL;
-- The province's key for that hash (two random UUIDs' 244 random bits, as 64 hex digits); terminals receive it with their pull.
INSERT INTO meta (key, value) VALUES ('citizen_id_key', replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''));
