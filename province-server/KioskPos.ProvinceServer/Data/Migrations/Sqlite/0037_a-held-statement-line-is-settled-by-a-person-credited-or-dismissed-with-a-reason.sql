-- A statement line held as a possible duplicate (migration 0034) is settled by a person of the connection's
-- institution (or the administrator): credited, when it was a second transfer after all (it then goes the way of an
-- imported line: statement_line_id is the bank_statement_lines row it became, with its transfer), or dismissed, when
-- it was the same transfer (nothing credited). Once: a held line has at most one decision, with the reason given,
-- who decided and when; NULL while it is held.
ALTER TABLE bank_statement_held_lines ADD COLUMN decision TEXT CHECK (decision IS NULL OR decision IN ('credited', 'dismissed'));
ALTER TABLE bank_statement_held_lines ADD COLUMN decision_reason TEXT;
ALTER TABLE bank_statement_held_lines ADD COLUMN decided_by TEXT;
ALTER TABLE bank_statement_held_lines ADD COLUMN decided_at TEXT;
ALTER TABLE bank_statement_held_lines ADD COLUMN statement_line_id INTEGER REFERENCES bank_statement_lines (id);
