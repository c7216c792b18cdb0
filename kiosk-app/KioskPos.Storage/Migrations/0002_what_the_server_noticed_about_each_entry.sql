-- E.g. 'overdraft' when an offline debit overdrew the card at the server. Shown with the payment.
ALTER TABLE outbox ADD COLUMN server_flags TEXT NOT NULL DEFAULT '';