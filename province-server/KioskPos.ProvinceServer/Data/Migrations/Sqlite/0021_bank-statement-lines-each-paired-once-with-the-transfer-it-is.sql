-- Each incoming line of an imported bank statement (issue 19, the last resort), once per connection and line key
-- (the bank's reference, or a hash of date, amount, text and occurrence where the layout has none). transfer_id is
-- the ledger row the line is: the one a webhook or the pull brought (reported_by names which), or the one the
-- statement recorded itself (reported_by NULL: a gap no notification reported). A ledger row is one line's at most.
-- A notification that comes after the statement recorded its money is paired with the line (notified_txn_id, the
-- provider's id) instead of being recorded a second time.
CREATE TABLE bank_statement_lines (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id   TEXT NOT NULL,
    line_key        TEXT NOT NULL,
    booked_on       TEXT NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    description     TEXT NOT NULL,
    reference       TEXT,
    layout          TEXT NOT NULL,
    transfer_id     INTEGER NOT NULL UNIQUE REFERENCES bank_transfers (id),
    reported_by     TEXT,
    notified_txn_id TEXT,
    imported_at     TEXT NOT NULL,
    UNIQUE (connection_id, line_key),
    UNIQUE (connection_id, notified_txn_id)
);

-- The statement looks for the notification of the same money by connection and amount.
CREATE INDEX bank_transfers_amount ON bank_transfers (connection_id, amount);
