ALTER TABLE terminals ADD COLUMN version TEXT;
ALTER TABLE terminals ADD COLUMN queued INTEGER;
ALTER TABLE terminals ADD COLUMN oldest_queued_at TEXT;
ALTER TABLE terminals ADD COLUMN printer_state TEXT;
ALTER TABLE terminals ADD COLUMN last_error TEXT;
ALTER TABLE terminals ADD COLUMN reported_at TEXT;
