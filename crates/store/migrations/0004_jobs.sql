-- Background work, durable: a job is written in the same transaction as the change that calls
-- for it, claimed by a worker with a lease, and deleted when done. A worker that dies leaves
-- its lease to expire and the job is claimed again; a change made while a job runs bumps its
-- generation, so the job runs once more.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    job_key TEXT NOT NULL,
    generation BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (kind, job_key)
);
