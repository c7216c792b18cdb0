-- One account's payments by time, for its card statement and its payer's data; see the SQLite step of the same
-- number for the why. On a province's table this takes a while and holds writes back until it is built: start the
-- new version in a quiet hour (docs/configuration.md).
CREATE INDEX payments_account ON payments (account_code, created_at);
