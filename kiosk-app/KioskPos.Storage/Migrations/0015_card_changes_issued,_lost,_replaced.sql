-- Each card issued, reported lost or replaced at this terminal, by its journal entry. Until that entry is at the
-- province server a pull (answered before the server had it) must not bring a lost card back nor drop a new one:
-- the pull re-applies the changes still pending.
CREATE TABLE card_changes (
    sequence     INTEGER PRIMARY KEY REFERENCES journal (sequence),
    action       TEXT NOT NULL CHECK (action IN ('issued', 'lost', 'replaced')),
    account_code TEXT NOT NULL,
    card_uid     TEXT NOT NULL,
    replaced_uid TEXT,
    operator     TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX card_changes_account ON card_changes (account_code);
