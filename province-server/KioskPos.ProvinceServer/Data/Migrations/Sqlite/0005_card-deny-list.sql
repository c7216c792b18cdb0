-- A card on the deny list is refused everywhere (lost, stolen, or overdrawn offline) until cleared.
ALTER TABLE cards ADD COLUMN denied_reason TEXT;
ALTER TABLE cards ADD COLUMN denied_at TEXT;
