-- Money put on a card's balance (issue 27). A kiosk top-up is a VietQR payment without bills (purpose 'top_up');
-- a transfer from home names the account by its standing code (Core's StandingTransferCode, filled in lazily the
-- first time a code of the institution is looked for: accounts are written by several importers). Every credit is one
-- top_ups row per bank transfer (UNIQUE: a transfer credits once); refund_due is what it brought above the limits.
-- The limits are the province's per institution type (max balance, max put on one account per local day).
ALTER TABLE payments ADD COLUMN purpose TEXT NOT NULL DEFAULT 'bills';
ALTER TABLE accounts ADD COLUMN top_up_code TEXT;
CREATE INDEX accounts_top_up_code ON accounts (institution_id, top_up_code) WHERE top_up_code IS NOT NULL;

CREATE TABLE top_up_limits (
    institution_type TEXT PRIMARY KEY,
    max_balance      INTEGER NOT NULL CHECK (max_balance > 0),
    max_per_day      INTEGER NOT NULL CHECK (max_per_day > 0)
);
INSERT INTO top_up_limits (institution_type, max_balance, max_per_day) VALUES
    ('primary', 2000000, 1000000), ('lower_secondary', 2000000, 1000000), ('upper_secondary', 2000000, 1000000),
    ('vocational', 2000000, 1000000), ('college_university', 2000000, 1000000),
    ('provincial_hospital', 20000000, 10000000), ('district_health_centre', 20000000, 10000000), ('commune_health_station', 20000000, 10000000);

CREATE TABLE top_ups (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    transfer_id    INTEGER NOT NULL UNIQUE REFERENCES bank_transfers (id),
    account_code   TEXT NOT NULL REFERENCES accounts (code),
    institution_id TEXT NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('kiosk', 'home')),
    payment_id     TEXT,
    amount         INTEGER NOT NULL CHECK (amount > 0),
    balance_after  INTEGER NOT NULL,
    refund_due     INTEGER NOT NULL DEFAULT 0 CHECK (refund_due >= 0),
    credited_at    TEXT NOT NULL
);
CREATE INDEX top_ups_account ON top_ups (account_code, credited_at);
CREATE INDEX top_ups_institution ON top_ups (institution_id, credited_at);
