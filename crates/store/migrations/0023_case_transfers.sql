-- A case handed over to another member: proposed by the sender with a reason and the
-- documents that go with it, then accepted (the receiver's new case named), declined with a
-- reason, or withdrawn. At most one proposal per case is open at a time.
CREATE TABLE case_transfers (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    from_member_id TEXT NOT NULL REFERENCES members(id),
    to_member_id TEXT NOT NULL REFERENCES members(id),
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    document_ids TEXT NOT NULL,
    proposed_by TEXT NOT NULL REFERENCES users(id),
    proposed_at TEXT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at TEXT,
    decline_reason TEXT,
    new_case_id TEXT REFERENCES cases(id)
);
CREATE INDEX case_transfers_case ON case_transfers(case_id);
CREATE INDEX case_transfers_to ON case_transfers(to_member_id, status);
CREATE UNIQUE INDEX case_transfers_one_open ON case_transfers(case_id) WHERE status = 'proposed';
