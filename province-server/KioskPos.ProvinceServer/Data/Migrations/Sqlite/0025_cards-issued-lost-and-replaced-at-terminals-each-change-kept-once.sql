-- Each card issued, reported lost or replaced at a terminal, as its journal entry said (issue 27): the cards table
-- holds the effect (a new card, denied_reason 'lost' or 'replaced'); this is the card's history, and flags says what
-- the ledger could not apply (a card of another account, an unknown account or card) for a person to look at.
CREATE TABLE card_changes (
    terminal_id  TEXT NOT NULL,
    sequence     INTEGER NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('issued', 'lost', 'replaced')),
    account_code TEXT NOT NULL,
    card_uid     TEXT NOT NULL,
    replaced_uid TEXT,
    operator     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    flags        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (terminal_id, sequence),
    FOREIGN KEY (terminal_id, sequence) REFERENCES journal_entries (terminal_id, sequence)
);
CREATE INDEX card_changes_account ON card_changes (account_code);

-- A payer leaving: the remainder refunded by the institution's bank transfer (its reference recorded), the balance
-- zero, the account blocked and closed, its cards deny-listed 'closed'. One row per account.
ALTER TABLE accounts ADD COLUMN closed_at TEXT;
CREATE TABLE account_closures (
    account_code   TEXT PRIMARY KEY REFERENCES accounts (code),
    refunded       INTEGER NOT NULL CHECK (refunded >= 0),
    bank_reference TEXT NOT NULL,
    reason         TEXT NOT NULL,
    closed_by      TEXT NOT NULL,
    closed_at      TEXT NOT NULL
);
