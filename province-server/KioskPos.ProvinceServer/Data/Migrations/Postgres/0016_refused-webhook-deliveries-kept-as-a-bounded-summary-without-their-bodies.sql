-- A refused webhook delivery (unsigned, a bad signature, too large, malformed, over the rate) is kept as a count per
-- minute, source address and reason, never with its body: a flood of junk costs a row a minute, not its bytes.
-- Kept Province:Intake:RefusalRetentionDays, then purged.
CREATE TABLE refused_deliveries (
    minute        TEXT NOT NULL,
    source        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    connection_id TEXT,
    deliveries    BIGINT NOT NULL,
    bytes         BIGINT NOT NULL,
    first_at      TEXT NOT NULL,
    last_at       TEXT NOT NULL,
    PRIMARY KEY (minute, source, reason)
);

-- The bodies of deliveries refused before this step (anyone's bytes, or payers' names) are not kept.
UPDATE bank_deliveries SET body = '' WHERE authentic = 0 OR result LIKE 'refused%';

-- The retention purge finds accepted bodies by age.
CREATE INDEX bank_deliveries_received ON bank_deliveries (received_at);
