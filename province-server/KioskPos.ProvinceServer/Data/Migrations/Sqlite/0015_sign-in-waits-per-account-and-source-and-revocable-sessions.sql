-- Wrong passwords at /login, counted per account name (known or not: 'user:<name>') and per source address
-- ('source:<address>'), each count raised in one statement. Past a threshold each further failure doubles a wait
-- (not_before, unix milliseconds) before the next try, capped: nobody is locked out for good. A count is forgotten
-- after a quiet spell (last_failure, unix milliseconds). users.failures, the old lock-out count, is no longer read.
-- An account or address passing the threshold is a row in alerts (kind sign_in.account / sign_in.source).
CREATE TABLE sign_in_throttle (
    subject      TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    last_failure INTEGER NOT NULL,
    not_before   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sign_in_throttle_by_last_failure ON sign_in_throttle (last_failure);

-- People's sessions, kept here so that they can be ended: the cookie holds a random token, the row its SHA-256.
-- Sign-out deletes the row; a new password or role deletes all of that person's rows. Times in unix seconds.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    username     TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_by_username ON sessions (username);
