-- A top-up (nạp tiền vào thẻ) is a VietQR payment without bills whose money goes onto the account's balance:
-- payments say what they are for, and a confirmed top-up keeps the balance the province reported after it (shown
-- and printed). Rows from before are payments of bills.
ALTER TABLE payments ADD COLUMN purpose TEXT NOT NULL DEFAULT 'bills' CHECK (purpose IN ('bills', 'top_up'));
ALTER TABLE payments ADD COLUMN balance_after INTEGER;
