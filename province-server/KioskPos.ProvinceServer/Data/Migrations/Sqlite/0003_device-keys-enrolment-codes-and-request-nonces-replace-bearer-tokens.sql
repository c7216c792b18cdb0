ALTER TABLE terminals ADD COLUMN public_key TEXT;
ALTER TABLE terminals ADD COLUMN enrolled_at TEXT;
ALTER TABLE terminals DROP COLUMN token_sha256;

-- One-time codes a technician types into a new terminal; only their hash is kept.
CREATE TABLE enrolment_codes (
    code_sha256 TEXT PRIMARY KEY,
    terminal_id TEXT NOT NULL REFERENCES terminals (id),
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

-- Nonces of signed requests seen in the last minutes: a replayed request is refused.
CREATE TABLE request_nonces (
    terminal_id TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (terminal_id, nonce)
);
CREATE INDEX request_nonces_age ON request_nonces (seen_at);
