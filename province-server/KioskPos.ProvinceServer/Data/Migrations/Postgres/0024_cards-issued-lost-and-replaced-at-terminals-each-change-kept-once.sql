-- Each card issued, reported lost or replaced at a terminal, as its journal entry said (issue 27): the cards table
-- holds the effect (a new card, denied_reason 'lost' or 'replaced'); this is the card's history, and flags says what
-- the ledger could not apply (a card of another account, an unknown account or card) for a person to look at.
CREATE TABLE card_changes (
    terminal_id  TEXT NOT NULL,
    sequence     BIGINT NOT NULL,
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
