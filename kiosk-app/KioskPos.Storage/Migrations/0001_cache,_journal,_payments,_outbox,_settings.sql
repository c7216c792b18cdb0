CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Cache of what the province server holds for this terminal's institution. Replaced or merged by pulls.
CREATE TABLE institution (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    type     TEXT NOT NULL,
    district TEXT NOT NULL
);

CREATE TABLE accounts (
    code       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('pupil', 'patient')),
    full_name  TEXT NOT NULL,
    group_name TEXT,
    balance    INTEGER NOT NULL,
    blocked    INTEGER NOT NULL DEFAULT 0,
    version    INTEGER NOT NULL
);

CREATE TABLE account_cards (
    uid          TEXT PRIMARY KEY,
    account_code TEXT NOT NULL REFERENCES accounts (code) ON DELETE CASCADE
);
CREATE INDEX account_cards_account ON account_cards (account_code);

CREATE TABLE bills (
    id           TEXT PRIMARY KEY,
    account_code TEXT NOT NULL,
    category     TEXT NOT NULL,
    title        TEXT NOT NULL,
    due_date     TEXT,
    total        INTEGER NOT NULL CHECK (total >= 0),
    paid         INTEGER NOT NULL CHECK (paid >= 0),
    version      INTEGER NOT NULL
);
CREATE INDEX bills_account ON bills (account_code);

CREATE TABLE bill_lines (
    bill_id     TEXT NOT NULL REFERENCES bills (id) ON DELETE CASCADE,
    line_no     INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  INTEGER NOT NULL CHECK (unit_price >= 0),
    amount      INTEGER NOT NULL,
    PRIMARY KEY (bill_id, line_no)
);

-- The payment journal: append-only, one sequence without gaps, each entry chained to the one before.
CREATE TABLE journal (
    sequence   INTEGER PRIMARY KEY CHECK (sequence > 0),
    kind       TEXT NOT NULL,
    payment_id TEXT,
    created_at TEXT NOT NULL,
    body       TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE
);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

-- Current state of each payment, written in the same transaction as its journal entry.
CREATE TABLE payments (
    id                TEXT PRIMARY KEY,
    sequence          INTEGER NOT NULL UNIQUE REFERENCES journal (sequence),
    client_request_id TEXT UNIQUE,
    account_code      TEXT NOT NULL,
    card_uid          TEXT,
    method            TEXT NOT NULL,
    amount            INTEGER NOT NULL CHECK (amount > 0),
    state             TEXT NOT NULL,
    operator          TEXT,
    created_at        TEXT NOT NULL,
    receipt_state     TEXT NOT NULL DEFAULT 'pending',
    receipt_detail    TEXT
);
CREATE INDEX payments_account ON payments (account_code);

CREATE TABLE payment_allocations (
    payment_id TEXT NOT NULL REFERENCES payments (id),
    bill_id    TEXT NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (payment_id, bill_id)
);
CREATE INDEX payment_allocations_bill ON payment_allocations (bill_id);

-- What is still to be pushed to the province server: one row per journal entry.
CREATE TABLE outbox (
    sequence        INTEGER PRIMARY KEY REFERENCES journal (sequence),
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'rejected')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    last_attempt_at TEXT,
    sent_at         TEXT
);
CREATE INDEX outbox_pending ON outbox (state, sequence);