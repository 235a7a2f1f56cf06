-- A person's record can be corrected: the version a form was read at refuses a save made over
-- someone else's correction.
ALTER TABLE people ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
