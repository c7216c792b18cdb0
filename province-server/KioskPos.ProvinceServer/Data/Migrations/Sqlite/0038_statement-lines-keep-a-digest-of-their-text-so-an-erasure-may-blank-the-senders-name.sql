-- Before a statement line is credited, the ledger looks for a stored line of the same day and amount and the same
-- text under another key (migration 0034); the text names the sender, which a payer's erasure (Law 91/2025/QH15)
-- blanks. So each stored and held line keeps what the check compares of its text: SHA-256, lower-case hex, of the
-- text without whitespace and in upper case (BankLedger.SameTextDigest), written by the code with the line.
-- The lines stored before this step have none (NULL), and this step cannot fill them: the code's whitespace and upper
-- case are Unicode's (.NET), which neither SQLite's upper() nor PostgreSQL's under the C collation computes alike, and
-- SQLite has no SHA-256. Their text is whole until an erasure, so the check digests it as it reads them, and the
-- erasure stores the digest of each line it blanks before it blanks it.
ALTER TABLE bank_statement_lines ADD COLUMN text_digest TEXT;
ALTER TABLE bank_statement_held_lines ADD COLUMN text_digest TEXT;
