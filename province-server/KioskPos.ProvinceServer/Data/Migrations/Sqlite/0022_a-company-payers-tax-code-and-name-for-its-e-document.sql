-- A company payer's tax code and name (issue 22): given on the receipt's lookup page (/r) before the payment's
-- document is issued, carried into that document's buyer and into its adjustment's. Kept on the original row.
ALTER TABLE edocuments ADD COLUMN buyer_tax_code TEXT;
ALTER TABLE edocuments ADD COLUMN buyer_name TEXT;
