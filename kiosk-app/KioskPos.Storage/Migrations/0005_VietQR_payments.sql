-- Where the institution receives transfers (from the server's configuration).
ALTER TABLE institution ADD COLUMN bank_bin TEXT;
ALTER TABLE institution ADD COLUMN bank_account TEXT;
ALTER TABLE institution ADD COLUMN bank_account_name TEXT;
ALTER TABLE institution ADD COLUMN bank_name TEXT;

-- A VietQR payment's code and what the bank confirmed for it so far.
ALTER TABLE payments ADD COLUMN transfer_code TEXT;
ALTER TABLE payments ADD COLUMN qr_payload TEXT;
ALTER TABLE payments ADD COLUMN expires_at TEXT;
ALTER TABLE payments ADD COLUMN received INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX payments_transfer_code ON payments (transfer_code) WHERE transfer_code IS NOT NULL;
CREATE INDEX payments_pending_expiry ON payments (expires_at) WHERE state = 'pending';

-- The server's confirmations recorded, by the server's id: each is journalled once.
CREATE TABLE confirmations (
    id         INTEGER PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payments (id),
    sequence   INTEGER NOT NULL REFERENCES journal (sequence)
);