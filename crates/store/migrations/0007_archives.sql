-- Archives: each member's historical records described as fonds → series → file → item
-- (ISAD(G)). `open_from` is the day a unit opens to staff across the network (NULL: never by
-- itself, as for adoption files); it is decided from the unit's restriction and latest date and
-- can never be earlier than its parent's. Items carry their digitised original (kept unchanged
-- in the document store) and the text read from it, page by page.
CREATE TABLE archive_units (
    id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members(id),
    parent_id TEXT REFERENCES archive_units(id),
    fonds_id TEXT NOT NULL,
    level TEXT NOT NULL,
    reference_code TEXT NOT NULL,
    title TEXT NOT NULL,
    creator TEXT NOT NULL,
    date_from TEXT,
    date_to TEXT,
    extent TEXT NOT NULL,
    language TEXT NOT NULL,
    location TEXT NOT NULL,
    restriction TEXT NOT NULL,
    open_from TEXT,
    legal_hold BIGINT NOT NULL,
    digitisation TEXT NOT NULL,
    case_id TEXT REFERENCES cases(id),
    filename TEXT,
    content_type TEXT,
    size BIGINT,
    sha256 TEXT,
    storage_key TEXT,
    page_count BIGINT,
    confidence DOUBLE PRECISION,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (reference_code)
);
CREATE INDEX archive_units_parent ON archive_units(parent_id);
CREATE INDEX archive_units_fonds ON archive_units(fonds_id, level);
-- An original is imported once per fonds, whatever its file name.
CREATE UNIQUE INDEX archive_units_content ON archive_units(fonds_id, sha256);

CREATE TABLE archive_pages (
    item_id TEXT NOT NULL REFERENCES archive_units(id),
    page_no BIGINT NOT NULL,
    body TEXT NOT NULL,
    confidence DOUBLE PRECISION,
    needs_review BIGINT NOT NULL,
    PRIMARY KEY (item_id, page_no)
);

-- The restricted index of what the text names: people, dates, places, reference numbers.
-- Read by the holding member's archivists (and the search of origins), never shown in search.
CREATE TABLE archive_entities (
    item_id TEXT NOT NULL REFERENCES archive_units(id),
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    folded TEXT NOT NULL
);
CREATE INDEX archive_entities_item ON archive_entities(item_id);
CREATE INDEX archive_entities_folded ON archive_entities(folded);

-- One row per file of an import batch: what happened to it. A file is recorded once per
-- fonds (by its path), so running the same import again resumes it.
CREATE TABLE archive_imports (
    id TEXT PRIMARY KEY,
    fonds_id TEXT NOT NULL REFERENCES archive_units(id),
    source TEXT NOT NULL,
    display_path TEXT NOT NULL,
    parent_id TEXT,
    reference_code TEXT,
    title TEXT,
    date_from TEXT,
    date_to TEXT,
    restriction TEXT,
    languages TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    item_id TEXT,
    pages BIGINT,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    UNIQUE (fonds_id, source)
);
CREATE INDEX archive_imports_status ON archive_imports(fonds_id, status);

-- The change feed the search index follows: every change of an indexed case, request or
-- archive unit appends its id here, in the writing transaction, in commit order (writes are
-- serialised on the audit chain's head).
CREATE TABLE search_changes (
    seq BIGINT PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL
);

-- The search of origins: what the archivist found for an access request (a case of the
-- service `search_of_origins`) and what was disclosed to the person, when, by whom, with
-- which counselling.
CREATE TABLE origins_findings (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    unit_id TEXT NOT NULL REFERENCES archive_units(id),
    note TEXT NOT NULL,
    found_by TEXT NOT NULL REFERENCES users(id),
    found_at TEXT NOT NULL,
    disclosed_at TEXT,
    disclosed_by TEXT REFERENCES users(id),
    disclosed_to TEXT,
    counselling TEXT,
    UNIQUE (case_id, unit_id)
);
