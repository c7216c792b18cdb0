-- Province administrators (everything) and institution accountants (their institution, read-only).
-- Passwords as salted PBKDF2 hashes; wrong passwords in a row lock the login until an administrator resets it.
CREATE TABLE users (
    username       TEXT PRIMARY KEY,
    full_name      TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('province_admin', 'accountant')),
    institution_id TEXT REFERENCES institutions (id),
    password_hash  TEXT NOT NULL,
    failures       BIGINT NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    CHECK ((role = 'accountant') = (institution_id IS NOT NULL))
);

-- A mismatch someone looked at: who, when, what they found. The item is the mismatch's key
-- (transfer:<id>, payment:<id>).
CREATE TABLE worklist_resolutions (
    item           TEXT PRIMARY KEY,
    institution_id TEXT,
    resolved_by    TEXT NOT NULL,
    resolved_at    TEXT NOT NULL,
    note           TEXT NOT NULL
);
