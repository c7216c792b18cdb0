-- 1 when the province server has the card on its deny list (lost, stolen, overdrawn).
ALTER TABLE account_cards ADD COLUMN denied INTEGER NOT NULL DEFAULT 0;