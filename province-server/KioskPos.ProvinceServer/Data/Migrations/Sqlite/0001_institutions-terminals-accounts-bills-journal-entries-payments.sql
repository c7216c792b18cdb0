-- meta holds the database's epoch (a random id, so terminals notice a replaced database) and the
-- change counter whose values version every row terminals pull.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(8)))), ('change_version', '0');

CREATE TABLE institutions (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    type     TEXT NOT NULL,
    district TEXT NOT NULL,
    commune  TEXT
);

CREATE TABLE terminals (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    name           TEXT NOT NULL,
    token_sha256   TEXT NOT NULL,
    revoked        INTEGER NOT NULL DEFAULT 0,
    acked_through  INTEGER NOT NULL DEFAULT 0,
    last_seen_at   TEXT
);

CREATE TABLE accounts (
    code           TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    kind           TEXT NOT NULL CHECK (kind IN ('pupil', 'patient')),
    full_name      TEXT NOT NULL,
    group_name     TEXT,
    balance        INTEGER NOT NULL,
    blocked        INTEGER NOT NULL DEFAULT 0,
    version        INTEGER NOT NULL
);
CREATE INDEX accounts_sync ON accounts (institution_id, version);

CREATE TABLE cards (
    uid          TEXT PRIMARY KEY,
    account_code TEXT NOT NULL REFERENCES accounts (code)
);
CREATE INDEX cards_account ON cards (account_code);

CREATE TABLE bills (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    account_code   TEXT NOT NULL REFERENCES accounts (code),
    category       TEXT NOT NULL,
    title          TEXT NOT NULL,
    due_date       TEXT,
    total          INTEGER NOT NULL CHECK (total >= 0),
    paid           INTEGER NOT NULL DEFAULT 0 CHECK (paid >= 0),
    version        INTEGER NOT NULL
);
CREATE INDEX bills_sync ON bills (institution_id, version);

CREATE TABLE bill_lines (
    bill_id     TEXT NOT NULL REFERENCES bills (id),
    line_no     INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  INTEGER NOT NULL CHECK (unit_price >= 0),
    amount      INTEGER NOT NULL,
    PRIMARY KEY (bill_id, line_no)
);

-- Every entry a terminal pushed, exactly once: the primary key is UNIQUE(terminal, sequence), and the
-- ledger effect of an entry is written in the same transaction as its row here.
CREATE TABLE journal_entries (
    terminal_id TEXT NOT NULL REFERENCES terminals (id),
    sequence    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    digest      TEXT NOT NULL,
    body        TEXT NOT NULL,
    result      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (terminal_id, sequence)
);

CREATE TABLE payments (
    id             TEXT PRIMARY KEY,
    terminal_id    TEXT NOT NULL,
    sequence       INTEGER NOT NULL,
    institution_id TEXT NOT NULL,
    account_code   TEXT NOT NULL,
    card_uid       TEXT,
    method         TEXT NOT NULL,
    amount         INTEGER NOT NULL CHECK (amount > 0),
    created_at     TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    balance_after  INTEGER,
    flags          TEXT NOT NULL DEFAULT '',
    UNIQUE (terminal_id, sequence),
    FOREIGN KEY (terminal_id, sequence) REFERENCES journal_entries (terminal_id, sequence)
);
CREATE INDEX payments_institution ON payments (institution_id, created_at);

CREATE TABLE payment_allocations (
    payment_id TEXT NOT NULL REFERENCES payments (id),
    bill_id    TEXT NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (payment_id, bill_id)
);

-- What a person must look at: conflicting pushes, overdrafts, payments for unknown bills.
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    terminal_id TEXT,
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL
);
