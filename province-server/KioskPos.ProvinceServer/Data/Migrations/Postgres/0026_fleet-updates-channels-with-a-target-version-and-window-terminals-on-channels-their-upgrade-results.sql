-- Fleet updates: a channel (pilot, all, ...) names the package version its terminals should run and the maintenance
-- window (HH:mm, Vietnam's time) in which they may upgrade; a terminal is on one channel (all by default) and keeps
-- what its upgrade helper last reported. Its running version is terminals.version (0010).
CREATE TABLE update_channels (
    name           TEXT PRIMARY KEY,
    target_version TEXT,
    window_start   TEXT NOT NULL DEFAULT '01:00',
    window_end     TEXT NOT NULL DEFAULT '05:00',
    updated_at     TEXT
);
INSERT INTO update_channels (name) VALUES ('pilot'), ('all');
ALTER TABLE terminals ADD COLUMN update_channel TEXT NOT NULL DEFAULT 'all';
ALTER TABLE terminals ADD COLUMN upgrade_result TEXT;
ALTER TABLE terminals ADD COLUMN upgrade_version TEXT;
ALTER TABLE terminals ADD COLUMN upgrade_detail TEXT;
ALTER TABLE terminals ADD COLUMN upgrade_at TEXT;
