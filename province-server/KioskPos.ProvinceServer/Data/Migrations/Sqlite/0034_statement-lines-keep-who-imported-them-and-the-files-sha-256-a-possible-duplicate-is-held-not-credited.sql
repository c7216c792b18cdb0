-- The bank statement import (review of issue 19's statement file, items 1 and 2). Each stored line keeps who uploaded
-- it (the signed-in user's name) and the SHA-256 of the file it came in, so a line that completed a payment or put
-- money on a card can be traced to the file and the person; lines stored before this step have neither (NULL).
ALTER TABLE bank_statement_lines ADD COLUMN imported_by TEXT;
ALTER TABLE bank_statement_lines ADD COLUMN file_sha256 TEXT;

-- Before a new line is credited the ledger looks for a stored line of the same connection, day and amount (and the
-- same text, compared in the code) under another key: one export with the bank's reference, another without.
CREATE INDEX bank_statement_lines_day ON bank_statement_lines (connection_id, amount, booked_on);

-- A line held as a possible duplicate of the stored line duplicate_of: not a transfer, nothing credited, listed with
-- the statement's gaps for a person to look at. Once per connection and line key, as the stored lines, so importing
-- the file again holds it again rather than crediting it.
CREATE TABLE bank_statement_held_lines (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id TEXT NOT NULL,
    line_key      TEXT NOT NULL,
    booked_on     TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    description   TEXT NOT NULL,
    reference     TEXT,
    layout        TEXT NOT NULL,
    duplicate_of  INTEGER NOT NULL REFERENCES bank_statement_lines (id),
    imported_by   TEXT NOT NULL,
    file_sha256   TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    UNIQUE (connection_id, line_key)
);
