-- A company payer's address (Decree 123/2020 art. 10: the buyer's name, address and tax code): given with its tax code
-- and name on the receipt's lookup page (/r) before the payment's document is issued, one line, optional. Kept on the
-- original row with the tax code and name (0022) and carried into the document's buyer and its adjustments'. No
-- trigger: the column is written by the lookup page's request only, never on the push path.
ALTER TABLE edocuments ADD COLUMN buyer_address TEXT;
