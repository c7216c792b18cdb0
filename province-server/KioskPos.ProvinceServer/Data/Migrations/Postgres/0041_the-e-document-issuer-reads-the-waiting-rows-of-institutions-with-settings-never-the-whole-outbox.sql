-- The e-document issuer asks every round (15 s) which rows are due (EDocumentStore.DueAsync). Every payment queues
-- its original whether or not its institution has e-document settings yet (0020: they are issued once it has), so
-- the waiting rows of institutions without settings grow with the province's payments, and the one query that asked
-- for waiting rows with settings read every one of them each round (issue #26's load test: 12-16 µs of PostgreSQL an
-- ingested entry, over a plan of nearly a second to make at 80,000 rows). The issuer now reads from the institutions
-- with settings outwards, each one's waiting rows oldest first through this index, and stops at the batch.
-- edocuments_due (state, next_attempt_at) served only that query; it goes, so an entry pays for one index here, not
-- two, and an issued document leaves this one.
CREATE INDEX edocuments_waiting ON edocuments (institution_id, created_at, id) WHERE state = 'waiting';
DROP INDEX edocuments_due;
