-- Workers claim the oldest free job of their kinds: without an index in that order, every
-- claim read and sorted the whole queue, and a 20,000-file import spent its time there.
CREATE INDEX jobs_claim ON jobs(kind, created_at);
