-- 1 when the payment was taken within the offline limits, without the server's authorisation.
ALTER TABLE payments ADD COLUMN offline INTEGER NOT NULL DEFAULT 0;
CREATE INDEX payments_offline_card ON payments (card_uid, created_at) WHERE offline = 1;