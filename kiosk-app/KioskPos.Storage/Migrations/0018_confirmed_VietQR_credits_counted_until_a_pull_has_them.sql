-- What a bank confirmation of a VietQR payment credited each of its bills, counted in the bills the terminal reads
-- until a pull asked after the confirmation was recorded has brought the province's state of the bill (which holds
-- the credit). Keyed by the confirmation's journal entry: the pull's mark is the journal's last sequence when it was
-- asked. Kept beside the journal, not derived from it: a journal rebuild leaves these rows as they are.
CREATE TABLE confirmed_credits (
    sequence INTEGER NOT NULL REFERENCES journal (sequence),
    bill_id  TEXT NOT NULL,
    amount   INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (sequence, bill_id)
);
CREATE INDEX confirmed_credits_bill ON confirmed_credits (bill_id);
