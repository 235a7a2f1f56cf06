-- Possible matches between people on cases, proposed by the matching engine in the background
-- and reviewed by caseworkers. A pair is stored once (person_a < person_b); a rejected pair
-- keeps its row, so it is never proposed again.
CREATE TABLE match_candidates (
    id TEXT PRIMARY KEY,
    person_a TEXT NOT NULL REFERENCES people(id),
    member_a TEXT NOT NULL REFERENCES members(id),
    person_b TEXT NOT NULL REFERENCES people(id),
    member_b TEXT NOT NULL REFERENCES members(id),
    probability DOUBLE PRECISION NOT NULL,
    explanation TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (person_a, person_b)
);
CREATE INDEX match_candidates_a ON match_candidates(person_a);
CREATE INDEX match_candidates_b ON match_candidates(person_b);
