-- The request an idempotency key was first used for, as a hash (SHA-256 of its canonical form): the same key with
-- another request is refused (409) rather than answered with the first payment. Null for payments taken before.
ALTER TABLE payments ADD COLUMN request_hash TEXT;
