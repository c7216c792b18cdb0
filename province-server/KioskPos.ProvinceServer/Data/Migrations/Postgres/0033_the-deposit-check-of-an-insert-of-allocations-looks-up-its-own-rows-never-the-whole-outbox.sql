-- 0031's statement trigger on payment_allocations asked which payments of an INSERT are all deposits with
-- DELETE FROM edocuments e WHERE e.id IN (SELECT ... FROM inserted ...). PostgreSQL cannot know a transition table's
-- size, and a plan that scans the whole outbox for every group of pushes costs in proportion to the province's
-- history (make loadtest: PostgreSQL's CPU an entry rose from 52 to 59-70 µs after 0031). The same rule, driven from
-- the inserted rows: the deposit bills among them (a partial index of the deposit bills, a few in a province), then
-- each such payment's queued original by its key.
CREATE INDEX bills_deposits ON bills (id) WHERE category = 'tam_ung';

CREATE OR REPLACE FUNCTION edocuments_allocations_insert_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    deposit_payment text;
BEGIN
    FOR deposit_payment IN SELECT DISTINCT n.payment_id FROM inserted n WHERE EXISTS (SELECT 1 FROM bills b WHERE b.id = n.bill_id AND b.category = 'tam_ung') LOOP
        DELETE FROM edocuments e
        WHERE e.id = deposit_payment AND e.purpose = 'original' AND e.state = 'waiting' AND e.attempts = 0
          AND NOT EXISTS (SELECT 1 FROM payment_allocations pa LEFT JOIN bills b ON b.id = pa.bill_id
                          WHERE pa.payment_id = deposit_payment AND (b.category IS NULL OR b.category <> 'tam_ung'));
    END LOOP;
    RETURN NULL;
END $$;
