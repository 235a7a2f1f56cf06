-- Archive text in the research corpus: de-identified copies of the text of archive items
-- (open and personal records; adoption files never leave their guided search of origins),
-- kept current from the change feed. The id is a keyed token of the item id; dates are
-- generalised to years; the table that reverses the stand-ins is sealed with the key.
CREATE TABLE research_items (
    id TEXT PRIMARY KEY,
    member_country TEXT NOT NULL,
    level TEXT NOT NULL,
    language TEXT NOT NULL,
    year_from INTEGER,
    year_to INTEGER,
    body TEXT NOT NULL,
    body_names TEXT NOT NULL,
    search_text TEXT NOT NULL,
    reversal TEXT NOT NULL,
    built_at TEXT NOT NULL
);

-- How far a follower of the change feed has read.
CREATE TABLE feed_cursors (
    name TEXT PRIMARY KEY,
    seq BIGINT NOT NULL
);
