-- The tracking code of a create SePay accepted and is still making; see the SQLite step of the same number for the why.
ALTER TABLE edocuments ADD COLUMN tracking_code TEXT;
