-- Which case a request opened at its receiver, looked up when an indicator counts a case as incoming.
CREATE INDEX requests_receiver_case ON requests(receiver_case_id);

-- A member's figures for a period, as its director approved them, and the network's as the
-- General Secretariat approved them (member_id NULL): the figures are kept as they were, so a
-- later change to the cases underneath shows as a difference and never rewrites them.
CREATE TABLE impact_approvals (
    id TEXT PRIMARY KEY,
    level TEXT NOT NULL,
    member_id TEXT REFERENCES members(id),
    period TEXT NOT NULL,
    figures TEXT NOT NULL,
    approved_by TEXT NOT NULL REFERENCES users(id),
    approved_at TEXT NOT NULL
);
CREATE UNIQUE INDEX impact_approvals_once ON impact_approvals(level, COALESCE(member_id, ''), period);

-- Social return on investment analyses: a member's (member_id) or the network's (NULL), the
-- analysis as entered (inputs, outcomes with their proxies and rates) kept as JSON.
CREATE TABLE sroi_analyses (
    id TEXT PRIMARY KEY,
    member_id TEXT REFERENCES members(id),
    title TEXT NOT NULL,
    period TEXT NOT NULL,
    analysis TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX sroi_analyses_member ON sroi_analyses(member_id);
