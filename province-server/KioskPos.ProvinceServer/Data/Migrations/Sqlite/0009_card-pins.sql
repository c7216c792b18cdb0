-- The card holder's PIN, asked by self-service kiosks above an amount: a salted PBKDF2 hash, checked here
-- only (never sent to terminals); wrong tries in a row lock it until the office clears it.
ALTER TABLE accounts ADD COLUMN pin_hash TEXT;
ALTER TABLE accounts ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0;
