-- On PostgreSQL this step queues an inserted payment's original e-document without a speculative insert (ON CONFLICT
-- there costs a probe, a token and a confirmation per row; SQLite's row trigger keeps its ON CONFLICT, a check of the
-- key it makes anyway) and indexes the outbox by payment only for adjustments: an original's payment_id is its id,
-- which the primary key finds (EDocumentStore.OfPaymentAsync asks for id = $p OR an adjustment of $p). The same
-- index here, for the two engines' schemas to stay alike and one row fewer in an index for every payment.
CREATE INDEX edocuments_adjustments ON edocuments (payment_id) WHERE purpose = 'adjustment';
DROP INDEX edocuments_payment;
