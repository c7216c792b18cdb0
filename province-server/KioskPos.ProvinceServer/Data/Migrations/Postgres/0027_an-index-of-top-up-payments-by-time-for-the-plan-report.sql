-- The plan report takes kiosk top-ups out of the payments' daily sums (their money is counted as top-ups): it reads
-- the top-up payments of the period, which without an index meant scanning every payment of the period (over a
-- million in a year, seconds per report). A partial index holds only the top-ups, by time.
CREATE INDEX payments_top_up_created ON payments (created_at) WHERE purpose = 'top_up';
