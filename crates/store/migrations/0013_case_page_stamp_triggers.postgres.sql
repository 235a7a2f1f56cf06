-- Case-page stamps (see `crates/store/src/stamps.rs`): triggers raise `cases.detail_stamp` in
-- the same transaction as any change to what the case page shows: the case's own rows
-- (relationships, notes, documents, requests, timeline, tracing requests), its people and
-- consents (which also show on the pages of the cases they are possibly matched with),
-- possible matches, and the case row itself. They used to be installed by the store at every
-- start; from this version they live here, like the rest of the schema.

-- A row that belongs to one case through `case_id` (both cases if it moved).
CREATE OR REPLACE FUNCTION kb_stamp_case() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.case_id IS DISTINCT FROM OLD.case_id) THEN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
  END IF;
  RETURN NULL;
END $f$;

-- A person or consent: its case, and the cases its people are possibly matched with (one
-- indexed lookup per side of the pair; an OR makes a bulk load scan every case per row).
CREATE OR REPLACE FUNCTION kb_stamp_paired() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  c TEXT;
BEGIN
  IF TG_OP = 'DELETE' THEN c := OLD.case_id; ELSE c := NEW.case_id; END IF;
  UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = c;
  UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (
    SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_b
    WHERE m.person_a IN (SELECT id FROM people WHERE case_id = c)
    UNION SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_a
    WHERE m.person_b IN (SELECT id FROM people WHERE case_id = c));
  RETURN NULL;
END $f$;

-- A possible match: the cases of both its people.
CREATE OR REPLACE FUNCTION kb_stamp_match() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE cases SET detail_stamp = detail_stamp + 1
    WHERE id IN (SELECT case_id FROM people WHERE id IN (OLD.person_a, OLD.person_b));
  ELSE
    UPDATE cases SET detail_stamp = detail_stamp + 1
    WHERE id IN (SELECT case_id FROM people WHERE id IN (NEW.person_a, NEW.person_b));
  END IF;
  RETURN NULL;
END $f$;

CREATE OR REPLACE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON relationships FOR EACH ROW EXECUTE FUNCTION kb_stamp_case();
CREATE OR REPLACE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON notes FOR EACH ROW EXECUTE FUNCTION kb_stamp_case();
CREATE OR REPLACE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON documents FOR EACH ROW EXECUTE FUNCTION kb_stamp_case();
CREATE OR REPLACE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON requests FOR EACH ROW EXECUTE FUNCTION kb_stamp_case();
CREATE OR REPLACE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON case_events FOR EACH ROW EXECUTE FUNCTION kb_stamp_case();
CREATE OR REPLACE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON tracing_requests FOR EACH ROW EXECUTE FUNCTION kb_stamp_case();
CREATE OR REPLACE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON people FOR EACH ROW EXECUTE FUNCTION kb_stamp_paired();
CREATE OR REPLACE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON consents FOR EACH ROW EXECUTE FUNCTION kb_stamp_paired();
CREATE OR REPLACE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON match_candidates FOR EACH ROW EXECUTE FUNCTION kb_stamp_match();

-- The case row itself (title, status, member, assignee, ...), unless the change was the
-- stamp's own.
CREATE OR REPLACE FUNCTION kb_stamp_row() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF NEW.detail_stamp = OLD.detail_stamp THEN NEW.detail_stamp := OLD.detail_stamp + 1; END IF;
  RETURN NEW;
END $f$;
CREATE OR REPLACE TRIGGER kb_stamp_row BEFORE UPDATE ON cases FOR EACH ROW EXECUTE FUNCTION kb_stamp_row();
