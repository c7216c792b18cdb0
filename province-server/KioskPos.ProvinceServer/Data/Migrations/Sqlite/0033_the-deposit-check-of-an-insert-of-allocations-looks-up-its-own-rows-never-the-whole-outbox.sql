-- On PostgreSQL this step drives 0031's deposit check of an INSERT of allocations from the inserted rows (a statement
-- trigger there). SQLite's triggers run per row with the row's keys already, so it only gets the same partial index of
-- the deposit bills, for the two engines' schemas to stay alike.
CREATE INDEX bills_deposits ON bills (id) WHERE category = 'tam_ung';
