-- Each entry's link in the terminal's hash chain, and the hash of the last contiguous entry held: a
-- terminal whose history was edited, lost or replaced can no longer continue the chain.
ALTER TABLE journal_entries ADD COLUMN prev_hash TEXT;
ALTER TABLE journal_entries ADD COLUMN hash TEXT;
ALTER TABLE terminals ADD COLUMN anchor_hash TEXT;
