-- A bank-notification connection as data (issue 19): which service posts (sepay, payos, casso, generic), for which
-- institution and receiving account, and its secrets. The secrets are never returned by the API nor logged; whoever
-- can read this table can read them, as with the configuration file they replace.
CREATE TABLE bank_connections (
    id              TEXT PRIMARY KEY,
    provider        TEXT NOT NULL CHECK (provider IN ('sepay', 'payos', 'casso', 'generic')),
    institution_id  TEXT,
    account_number  TEXT NOT NULL,
    secret          TEXT NOT NULL,
    api_key         TEXT,
    client_id       TEXT,
    api_base_url    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    last_webhook_at TEXT,
    last_pull_at    TEXT,
    last_pull_error TEXT,
    pull_cursor     TEXT
);

-- How each transfer reached the ledger: its provider's webhook, the pull, or a bank statement.
ALTER TABLE bank_transfers ADD COLUMN source TEXT NOT NULL DEFAULT 'webhook';
