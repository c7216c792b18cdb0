-- The people who may work the counter or service the terminal. A PIN is kept only as a PBKDF2 hash;
-- five wrong PINs in a row lock the person out for a while.
CREATE TABLE staff (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'technician')),
    pin_hash     TEXT NOT NULL,
    failed       INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    active       INTEGER NOT NULL DEFAULT 1
);

-- Signed-in sessions, by the SHA-256 of their token (the token itself is only in the browser's cookie).
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);