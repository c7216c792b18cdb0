-- payOS payment requests the province created for terminals' VietQR payments (issue 19): the order code is the
-- transfer code's terminal tag and sequence (tag * 2^30 + sequence), so one payment has one request; the webhook or
-- the status pull for that order code completes that payment, once, through the one matching engine. state: open,
-- paid, expired, cancelled; checked_at is the status pull's last look.
CREATE TABLE payos_requests (
    order_code      INTEGER PRIMARY KEY,
    connection_id   TEXT NOT NULL,
    terminal_id     TEXT NOT NULL,
    payment_id      TEXT NOT NULL,
    transfer_code   TEXT NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    payment_link_id TEXT NOT NULL,
    checkout_url    TEXT NOT NULL,
    qr_code         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'open',
    expires_at      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    checked_at      TEXT
);

CREATE INDEX payos_requests_open ON payos_requests (connection_id, state);
