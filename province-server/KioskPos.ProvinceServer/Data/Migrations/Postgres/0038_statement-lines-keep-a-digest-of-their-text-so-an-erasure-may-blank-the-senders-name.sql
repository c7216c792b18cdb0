-- A digest of each statement line's text, kept when an erasure blanks the text; see the SQLite step of the same
-- number for the why, and why this step leaves the lines stored before it without one.
ALTER TABLE bank_statement_lines ADD COLUMN text_digest TEXT;
ALTER TABLE bank_statement_held_lines ADD COLUMN text_digest TEXT;
