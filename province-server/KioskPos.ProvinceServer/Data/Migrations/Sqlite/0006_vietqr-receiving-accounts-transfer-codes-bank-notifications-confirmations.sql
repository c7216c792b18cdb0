-- Where each institution receives VietQR transfers; NULL while it takes none.
ALTER TABLE institutions ADD COLUMN bank_bin TEXT;
ALTER TABLE institutions ADD COLUMN bank_account TEXT;
ALTER TABLE institutions ADD COLUMN bank_account_name TEXT;
ALTER TABLE institutions ADD COLUMN bank_name TEXT;

-- The part of a transfer code that names the terminal: unique in the province, never reused.
ALTER TABLE terminals ADD COLUMN qr_tag INTEGER;
UPDATE terminals SET qr_tag = rowid;
CREATE UNIQUE INDEX terminals_qr_tag ON terminals (qr_tag);
CREATE TRIGGER terminals_assign_qr_tag AFTER INSERT ON terminals WHEN NEW.qr_tag IS NULL
    BEGIN UPDATE terminals SET qr_tag = (SELECT COALESCE(MAX(qr_tag), 0) + 1 FROM terminals) WHERE id = NEW.id; END;

-- A VietQR payment waits for the bank: pending, then underpaid or completed (or expired at the terminal).
-- received counts every đồng that arrived for it; each allocation what was credited to its bill.
ALTER TABLE payments ADD COLUMN state TEXT NOT NULL DEFAULT 'completed';
ALTER TABLE payments ADD COLUMN received INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN transfer_code TEXT;
ALTER TABLE payments ADD COLUMN expires_at TEXT;
CREATE UNIQUE INDEX payments_transfer_code ON payments (transfer_code) WHERE transfer_code IS NOT NULL;
ALTER TABLE payment_allocations ADD COLUMN credited INTEGER NOT NULL DEFAULT 0;

-- Every webhook delivery as it arrived (refused ones too), for the delivery log and manual replay.
CREATE TABLE bank_deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at   TEXT NOT NULL,
    connection_id TEXT,
    authentic     INTEGER NOT NULL,
    http_status   INTEGER NOT NULL,
    result        TEXT NOT NULL,
    body          TEXT NOT NULL
);

-- One row per bank transaction, ever: services retry for tens of minutes, the bank's id de-duplicates.
CREATE TABLE bank_transfers (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id    TEXT NOT NULL,
    bank_txn_id      TEXT NOT NULL,
    bank_bin         TEXT,
    account_number   TEXT NOT NULL,
    amount           INTEGER NOT NULL CHECK (amount > 0),
    description      TEXT NOT NULL,
    transaction_time TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    delivery_id      INTEGER REFERENCES bank_deliveries (id),
    transfer_code    TEXT,
    payment_id       TEXT,
    outcome          TEXT NOT NULL,
    flags            TEXT NOT NULL DEFAULT '',
    refund_due       INTEGER NOT NULL DEFAULT 0,
    resolved_at      TEXT,
    UNIQUE (connection_id, bank_txn_id)
);
CREATE INDEX bank_transfers_held ON bank_transfers (transfer_code) WHERE outcome = 'held';
CREATE INDEX bank_transfers_review ON bank_transfers (outcome, received_at);

-- What each terminal learns of its payments, in order; the id is the terminal's cursor.
CREATE TABLE confirmations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    terminal_id TEXT NOT NULL,
    payment_id  TEXT NOT NULL,
    transfer_id INTEGER NOT NULL REFERENCES bank_transfers (id),
    body        TEXT NOT NULL
);
CREATE INDEX confirmations_terminal ON confirmations (terminal_id, id);
