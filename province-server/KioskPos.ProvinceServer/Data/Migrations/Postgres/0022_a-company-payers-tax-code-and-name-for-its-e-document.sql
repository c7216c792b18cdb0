-- A company payer's tax code and name (issue 22); see the SQLite step of the same number for the why.
ALTER TABLE edocuments ADD COLUMN buyer_tax_code TEXT;
ALTER TABLE edocuments ADD COLUMN buyer_name TEXT;
