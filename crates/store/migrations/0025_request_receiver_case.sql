-- The receiving member's own case opened from a request it works on (one at most).
ALTER TABLE requests ADD COLUMN receiver_case_id TEXT NULL REFERENCES cases(id);
