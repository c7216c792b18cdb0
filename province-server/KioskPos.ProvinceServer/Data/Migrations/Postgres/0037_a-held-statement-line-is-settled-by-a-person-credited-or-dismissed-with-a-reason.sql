-- A held statement line settled by a person, credited or dismissed, once; see the SQLite step of the same number for the why.
ALTER TABLE bank_statement_held_lines ADD COLUMN decision TEXT CHECK (decision IS NULL OR decision IN ('credited', 'dismissed'));
ALTER TABLE bank_statement_held_lines ADD COLUMN decision_reason TEXT;
ALTER TABLE bank_statement_held_lines ADD COLUMN decided_by TEXT;
ALTER TABLE bank_statement_held_lines ADD COLUMN decided_at TEXT;
ALTER TABLE bank_statement_held_lines ADD COLUMN statement_line_id BIGINT REFERENCES bank_statement_lines (id);
