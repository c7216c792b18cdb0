-- A card's monthly statement (the public /api/v1/statements/{account}/{month}, AccountStatements.MovementsAsync) and
-- a payer's data (its export and its erasure, PayerData) read one account's payments; without an index on the account
-- each read scanned every payment the province holds (about 5 million a year, kept ten years), three times for a
-- statement. By account, then time: a statement reads one month of one account. One more index entry per payment
-- written; measured in bench/README.md (make loadtest).
CREATE INDEX payments_account ON payments (account_code, created_at);
