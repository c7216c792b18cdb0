-- JSON of the terminal's offline limits; NULL means the province's default.
ALTER TABLE terminals ADD COLUMN offline_policy TEXT;
