-- Assessments on a case: the network's forms (best interests, home study), versioned, with
-- their answers as JSON, written, submitted and signed off by a supervisor who did not write it.
CREATE TABLE case_assessments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    form_version BIGINT NOT NULL,
    answers TEXT NOT NULL,
    risk TEXT,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    signed_by TEXT REFERENCES users(id),
    signed_at TEXT,
    version BIGINT NOT NULL
);
CREATE INDEX case_assessments_case ON case_assessments(case_id, created_at);
