-- The research corpus: de-identified copies of closed cases, rebuilt by a background job when
-- a case closes (and removed when it reopens). Researchers see only this table. The id is a
-- keyed token of the case id; the table that turns stand-ins back into names is sealed with
-- the data protection officer's key. The text is kept twice: people as labels ("[CHILD-1]")
-- and as stable fake names of the same culture and gender, at the reader's choice.
CREATE TABLE research_cases (
    id TEXT PRIMARY KEY,
    member_country TEXT NOT NULL,
    partner_country TEXT,
    service TEXT NOT NULL,
    opened_year INTEGER NOT NULL,
    closed_year INTEGER,
    outcome TEXT,
    beneficiaries TEXT NOT NULL,
    body TEXT NOT NULL,
    body_names TEXT NOT NULL,
    search_text TEXT NOT NULL,
    reversal TEXT NOT NULL,
    built_at TEXT NOT NULL
);
CREATE INDEX research_cases_service ON research_cases(service);
