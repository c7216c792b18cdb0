-- What was given back of a payment (voids, refunds): its state becomes voided, or refunded when all is back.
ALTER TABLE payments ADD COLUMN reversed INTEGER NOT NULL DEFAULT 0;

-- Each void or refund as the terminal journalled it: the ledger's credit, and for a bank-transfer refund
-- the institution's transfer to reconcile.
CREATE TABLE reversals (
    terminal_id    TEXT NOT NULL,
    sequence       INTEGER NOT NULL,
    payment_id     TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('void', 'refund')),
    amount         INTEGER NOT NULL CHECK (amount > 0),
    destination    TEXT NOT NULL,
    bank_reference TEXT,
    supervisor     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (terminal_id, sequence),
    FOREIGN KEY (terminal_id, sequence) REFERENCES journal_entries (terminal_id, sequence)
);
CREATE INDEX reversals_payment ON reversals (payment_id);
