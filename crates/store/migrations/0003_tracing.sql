-- Tracing requests: an inquirer looking for a person. The person sought is a row of `people`
-- on the case (role sought_person), so the matching engine compares them like anyone else.
CREATE TABLE tracing_requests (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    inquirer_name TEXT NOT NULL,
    relation TEXT NOT NULL,
    last_seen_place TEXT NOT NULL,
    last_seen_on TEXT NOT NULL,
    circumstances TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX tracing_requests_case ON tracing_requests(case_id);
