-- What was given back of a payment so far, and of each of its allocations (refunds may be partial).
ALTER TABLE payments ADD COLUMN reversed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payment_allocations ADD COLUMN reversed INTEGER NOT NULL DEFAULT 0;

-- Each void or refund, by its journal entry: until that entry is at the server, a credit to the card
-- counts in the balance this terminal may spend and its allocations reopen the bills on screen.
CREATE TABLE reversals (
    sequence     INTEGER PRIMARY KEY REFERENCES journal (sequence),
    payment_id   TEXT NOT NULL REFERENCES payments (id),
    kind         TEXT NOT NULL CHECK (kind IN ('void', 'refund')),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    destination  TEXT NOT NULL,
    account_code TEXT NOT NULL
);
CREATE INDEX reversals_account ON reversals (account_code);
CREATE TABLE reversal_allocations (
    sequence INTEGER NOT NULL REFERENCES reversals (sequence),
    bill_id  TEXT NOT NULL,
    amount   INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (sequence, bill_id)
);

-- Closed shifts (the Z reports); the open shift is everything after the last one.
CREATE TABLE shifts (
    number        INTEGER PRIMARY KEY,
    sequence      INTEGER NOT NULL UNIQUE REFERENCES journal (sequence),
    last_sequence INTEGER NOT NULL,
    closed_at     TEXT NOT NULL,
    operator      TEXT NOT NULL
);