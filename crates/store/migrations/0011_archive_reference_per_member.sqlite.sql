-- A reference code is unique within its holding member's archives, not across the network:
-- another member's closed unit must not be detectable by the code it took. SQLite cannot drop
-- a table's constraint, so the table is rebuilt as SQLite's documentation prescribes (the
-- store runs SQLite migrations with foreign keys off, and this one checks them itself before
-- it commits).
CREATE TABLE archive_units_rebuilt (
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
    updated_at TEXT NOT NULL
);
INSERT INTO archive_units_rebuilt SELECT id, member_id, parent_id, fonds_id, level, reference_code, title, creator,
    date_from, date_to, extent, language, location, restriction, open_from, legal_hold, digitisation, case_id,
    filename, content_type, size, sha256, storage_key, page_count, confidence, created_at, updated_at
    FROM archive_units;
DROP TABLE archive_units;
ALTER TABLE archive_units_rebuilt RENAME TO archive_units;
CREATE INDEX archive_units_parent ON archive_units(parent_id);
CREATE INDEX archive_units_fonds ON archive_units(fonds_id, level);
CREATE UNIQUE INDEX archive_units_content ON archive_units(fonds_id, sha256);
CREATE UNIQUE INDEX archive_units_member_reference ON archive_units(member_id, reference_code);
-- Any row that lost its parent fails this CHECK, and with it the migration, before the commit.
CREATE TEMP TABLE kb_no_broken_foreign_key (broken INTEGER CHECK (broken IS NULL));
INSERT INTO kb_no_broken_foreign_key SELECT 1 FROM pragma_foreign_key_check LIMIT 1;
DROP TABLE kb_no_broken_foreign_key;
