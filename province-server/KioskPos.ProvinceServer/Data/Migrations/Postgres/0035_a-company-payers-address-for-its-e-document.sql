-- A company payer's address; see the SQLite step of the same number for the why.
ALTER TABLE edocuments ADD COLUMN buyer_address TEXT;
