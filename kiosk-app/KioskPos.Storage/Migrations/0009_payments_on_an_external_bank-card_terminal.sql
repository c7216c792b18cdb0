-- The bank's approval code and the card's last four digits: never a card number.
ALTER TABLE payments ADD COLUMN approval_code TEXT;
ALTER TABLE payments ADD COLUMN card_last4 TEXT CHECK (card_last4 IS NULL OR (length(card_last4) = 4 AND card_last4 NOT GLOB '*[^0-9]*'));