-- The key a void or refund was asked with (Idempotency-Key or clientRequestId), and a hash of what it asked: the
-- same key again answers the reversal already written, never a second one; with another request it is refused.
-- Kept beside the journal, not in it (the entry's canonical form is what the province verifies): a journal rebuild
-- leaves these rows as they are, and a key names its entry by sequence, which a rebuild keeps.
CREATE TABLE reversal_requests (
    client_request_id TEXT PRIMARY KEY,
    request_hash      TEXT NOT NULL,
    sequence          INTEGER NOT NULL REFERENCES journal (sequence)
);
