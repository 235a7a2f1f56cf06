-- A counter on each case, raised by triggers (installed per backend by the store, see
-- `stamps.rs`) whenever anything shown on its page changes: its people, relationships,
-- consents, notes, documents, requests, timeline, tracing requests or possible matches
-- (including the other side of a match). An instance keeps a case page it has read and
-- serves it again while the counter is unchanged.
ALTER TABLE cases ADD COLUMN detail_stamp BIGINT NOT NULL DEFAULT 0;
