-- The profile (JSON, as in hardware/profiles) the province wants the terminal to run; it takes effect at the
-- terminal's next start. NULL: the terminal's own.
ALTER TABLE terminals ADD COLUMN hardware_profile TEXT;
