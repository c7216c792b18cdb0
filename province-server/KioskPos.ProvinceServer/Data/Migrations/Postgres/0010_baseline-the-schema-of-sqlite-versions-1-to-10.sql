CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('epoch', substr(md5(random()::text || clock_timestamp()::text), 1, 16)), ('change_version', '0');

CREATE TABLE institutions (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    type              TEXT NOT NULL,
    district          TEXT NOT NULL,
    commune           TEXT,
    bank_bin          TEXT,
    bank_account      TEXT,
    bank_account_name TEXT,
    bank_name         TEXT
);

CREATE TABLE terminals (
    id               TEXT PRIMARY KEY,
    institution_id   TEXT NOT NULL REFERENCES institutions (id),
    name             TEXT NOT NULL,
    revoked          BIGINT NOT NULL DEFAULT 0,
    acked_through    BIGINT NOT NULL DEFAULT 0,
    last_seen_at     TEXT,
    anchor_hash      TEXT,
    public_key       TEXT,
    enrolled_at      TEXT,
    offline_policy   TEXT,
    qr_tag           BIGINT UNIQUE,
    version          TEXT,
    queued           BIGINT,
    oldest_queued_at TEXT,
    printer_state    TEXT,
    last_error       TEXT,
    reported_at      TEXT
);
-- The part of a transfer code that names the terminal: unique in the province, never reused.
CREATE FUNCTION terminals_assign_qr_tag() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.qr_tag IS NULL THEN
        NEW.qr_tag := (SELECT COALESCE(MAX(qr_tag), 0) + 1 FROM terminals);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER terminals_assign_qr_tag BEFORE INSERT ON terminals FOR EACH ROW EXECUTE FUNCTION terminals_assign_qr_tag();

CREATE TABLE accounts (
    code           TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    kind           TEXT NOT NULL CHECK (kind IN ('pupil', 'patient')),
    full_name      TEXT NOT NULL,
    group_name     TEXT,
    balance        BIGINT NOT NULL,
    blocked        BIGINT NOT NULL DEFAULT 0,
    version        BIGINT NOT NULL,
    pin_hash       TEXT,
    pin_failures   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX accounts_sync ON accounts (institution_id, version);

CREATE TABLE cards (
    uid           TEXT PRIMARY KEY,
    account_code  TEXT NOT NULL REFERENCES accounts (code),
    denied_reason TEXT,
    denied_at     TEXT
);
CREATE INDEX cards_account ON cards (account_code);

CREATE TABLE bills (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    account_code   TEXT NOT NULL REFERENCES accounts (code),
    category       TEXT NOT NULL,
    title          TEXT NOT NULL,
    due_date       TEXT,
    total          BIGINT NOT NULL CHECK (total >= 0),
    paid           BIGINT NOT NULL DEFAULT 0 CHECK (paid >= 0),
    version        BIGINT NOT NULL
);
CREATE INDEX bills_sync ON bills (institution_id, version);

CREATE TABLE bill_lines (
    bill_id           TEXT NOT NULL REFERENCES bills (id),
    line_no           BIGINT NOT NULL,
    description       TEXT NOT NULL,
    quantity          BIGINT NOT NULL CHECK (quantity > 0),
    unit_price        BIGINT NOT NULL CHECK (unit_price >= 0),
    amount            BIGINT NOT NULL,
    insurance_covered BIGINT NOT NULL DEFAULT 0 CHECK (insurance_covered >= 0),
    PRIMARY KEY (bill_id, line_no)
);

CREATE TABLE journal_entries (
    terminal_id TEXT NOT NULL REFERENCES terminals (id),
    sequence    BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    digest      TEXT NOT NULL,
    body        TEXT NOT NULL,
    result      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    prev_hash   TEXT,
    hash        TEXT,
    PRIMARY KEY (terminal_id, sequence)
);

CREATE TABLE payments (
    id             TEXT PRIMARY KEY,
    terminal_id    TEXT NOT NULL,
    sequence       BIGINT NOT NULL,
    institution_id TEXT NOT NULL,
    account_code   TEXT NOT NULL,
    card_uid       TEXT,
    method         TEXT NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount > 0),
    created_at     TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    balance_after  BIGINT,
    flags          TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL DEFAULT 'completed',
    received       BIGINT NOT NULL DEFAULT 0,
    transfer_code  TEXT,
    expires_at     TEXT,
    reversed       BIGINT NOT NULL DEFAULT 0,
    UNIQUE (terminal_id, sequence),
    FOREIGN KEY (terminal_id, sequence) REFERENCES journal_entries (terminal_id, sequence)
);
CREATE INDEX payments_institution ON payments (institution_id, created_at);
CREATE UNIQUE INDEX payments_transfer_code ON payments (transfer_code) WHERE transfer_code IS NOT NULL;

-- rowid keeps the order allocations were written in, as SQLite's implicit rowid does.
CREATE TABLE payment_allocations (
    rowid      BIGINT GENERATED ALWAYS AS IDENTITY,
    payment_id TEXT NOT NULL REFERENCES payments (id),
    bill_id    TEXT NOT NULL,
    amount     BIGINT NOT NULL CHECK (amount > 0),
    credited   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (payment_id, bill_id)
);

CREATE TABLE alerts (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at          TEXT NOT NULL,
    terminal_id TEXT,
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL
);

CREATE TABLE enrolment_codes (
    code_sha256 TEXT PRIMARY KEY,
    terminal_id TEXT NOT NULL REFERENCES terminals (id),
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

CREATE TABLE request_nonces (
    terminal_id TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (terminal_id, nonce)
);
CREATE INDEX request_nonces_age ON request_nonces (seen_at);

CREATE TABLE bank_deliveries (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    received_at   TEXT NOT NULL,
    connection_id TEXT,
    authentic     BIGINT NOT NULL,
    http_status   BIGINT NOT NULL,
    result        TEXT NOT NULL,
    body          TEXT NOT NULL
);

CREATE TABLE bank_transfers (
    id               BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    connection_id    TEXT NOT NULL,
    bank_txn_id      TEXT NOT NULL,
    bank_bin         TEXT,
    account_number   TEXT NOT NULL,
    amount           BIGINT NOT NULL CHECK (amount > 0),
    description      TEXT NOT NULL,
    transaction_time TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    delivery_id      BIGINT REFERENCES bank_deliveries (id),
    transfer_code    TEXT,
    payment_id       TEXT,
    outcome          TEXT NOT NULL,
    flags            TEXT NOT NULL DEFAULT '',
    refund_due       BIGINT NOT NULL DEFAULT 0,
    resolved_at      TEXT,
    UNIQUE (connection_id, bank_txn_id)
);
CREATE INDEX bank_transfers_held ON bank_transfers (transfer_code) WHERE outcome = 'held';
CREATE INDEX bank_transfers_review ON bank_transfers (outcome, received_at);

CREATE TABLE confirmations (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    terminal_id TEXT NOT NULL,
    payment_id  TEXT NOT NULL,
    transfer_id BIGINT NOT NULL REFERENCES bank_transfers (id),
    body        TEXT NOT NULL
);
CREATE INDEX confirmations_terminal ON confirmations (terminal_id, id);

CREATE TABLE reversals (
    terminal_id    TEXT NOT NULL,
    sequence       BIGINT NOT NULL,
    payment_id     TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('void', 'refund')),
    amount         BIGINT NOT NULL CHECK (amount > 0),
    destination    TEXT NOT NULL,
    bank_reference TEXT,
    supervisor     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (terminal_id, sequence),
    FOREIGN KEY (terminal_id, sequence) REFERENCES journal_entries (terminal_id, sequence)
);
CREATE INDEX reversals_payment ON reversals (payment_id);
