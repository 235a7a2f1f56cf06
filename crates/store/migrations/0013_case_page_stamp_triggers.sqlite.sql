-- Case-page stamps (see `crates/store/src/stamps.rs`): triggers raise `cases.detail_stamp` in
-- the same transaction as any change to what the case page shows: the case's own rows
-- (relationships, notes, documents, requests, timeline, tracing requests), its people and
-- consents (which also show on the pages of the cases they are possibly matched with),
-- possible matches, and the case row itself. They used to be installed by the store at every
-- start; from this version they live here, like the rest of the schema.

DROP TRIGGER IF EXISTS kb_stamp_relationships_ins;
CREATE TRIGGER kb_stamp_relationships_ins AFTER INSERT ON relationships FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
END;

DROP TRIGGER IF EXISTS kb_stamp_relationships_upd;
CREATE TRIGGER kb_stamp_relationships_upd AFTER UPDATE ON relationships FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (NEW.case_id, OLD.case_id);
END;

DROP TRIGGER IF EXISTS kb_stamp_relationships_del;
CREATE TRIGGER kb_stamp_relationships_del AFTER DELETE ON relationships FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
END;

DROP TRIGGER IF EXISTS kb_stamp_notes_ins;
CREATE TRIGGER kb_stamp_notes_ins AFTER INSERT ON notes FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
END;

DROP TRIGGER IF EXISTS kb_stamp_notes_upd;
CREATE TRIGGER kb_stamp_notes_upd AFTER UPDATE ON notes FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (NEW.case_id, OLD.case_id);
END;

DROP TRIGGER IF EXISTS kb_stamp_notes_del;
CREATE TRIGGER kb_stamp_notes_del AFTER DELETE ON notes FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
END;

DROP TRIGGER IF EXISTS kb_stamp_documents_ins;
CREATE TRIGGER kb_stamp_documents_ins AFTER INSERT ON documents FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
END;

DROP TRIGGER IF EXISTS kb_stamp_documents_upd;
CREATE TRIGGER kb_stamp_documents_upd AFTER UPDATE ON documents FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (NEW.case_id, OLD.case_id);
END;

DROP TRIGGER IF EXISTS kb_stamp_documents_del;
CREATE TRIGGER kb_stamp_documents_del AFTER DELETE ON documents FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
END;

DROP TRIGGER IF EXISTS kb_stamp_requests_ins;
CREATE TRIGGER kb_stamp_requests_ins AFTER INSERT ON requests FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
END;

DROP TRIGGER IF EXISTS kb_stamp_requests_upd;
CREATE TRIGGER kb_stamp_requests_upd AFTER UPDATE ON requests FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (NEW.case_id, OLD.case_id);
END;

DROP TRIGGER IF EXISTS kb_stamp_requests_del;
CREATE TRIGGER kb_stamp_requests_del AFTER DELETE ON requests FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
END;

DROP TRIGGER IF EXISTS kb_stamp_case_events_ins;
CREATE TRIGGER kb_stamp_case_events_ins AFTER INSERT ON case_events FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
END;

DROP TRIGGER IF EXISTS kb_stamp_case_events_upd;
CREATE TRIGGER kb_stamp_case_events_upd AFTER UPDATE ON case_events FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (NEW.case_id, OLD.case_id);
END;

DROP TRIGGER IF EXISTS kb_stamp_case_events_del;
CREATE TRIGGER kb_stamp_case_events_del AFTER DELETE ON case_events FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
END;

DROP TRIGGER IF EXISTS kb_stamp_tracing_requests_ins;
CREATE TRIGGER kb_stamp_tracing_requests_ins AFTER INSERT ON tracing_requests FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
END;

DROP TRIGGER IF EXISTS kb_stamp_tracing_requests_upd;
CREATE TRIGGER kb_stamp_tracing_requests_upd AFTER UPDATE ON tracing_requests FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (NEW.case_id, OLD.case_id);
END;

DROP TRIGGER IF EXISTS kb_stamp_tracing_requests_del;
CREATE TRIGGER kb_stamp_tracing_requests_del AFTER DELETE ON tracing_requests FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
END;

DROP TRIGGER IF EXISTS kb_stamp_people_ins;
CREATE TRIGGER kb_stamp_people_ins AFTER INSERT ON people FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_b WHERE m.person_a IN (SELECT id FROM people WHERE case_id = NEW.case_id) UNION SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_a WHERE m.person_b IN (SELECT id FROM people WHERE case_id = NEW.case_id));
END;

DROP TRIGGER IF EXISTS kb_stamp_people_upd;
CREATE TRIGGER kb_stamp_people_upd AFTER UPDATE ON people FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_b WHERE m.person_a IN (SELECT id FROM people WHERE case_id = NEW.case_id) UNION SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_a WHERE m.person_b IN (SELECT id FROM people WHERE case_id = NEW.case_id));
END;

DROP TRIGGER IF EXISTS kb_stamp_people_del;
CREATE TRIGGER kb_stamp_people_del AFTER DELETE ON people FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_b WHERE m.person_a IN (SELECT id FROM people WHERE case_id = OLD.case_id) UNION SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_a WHERE m.person_b IN (SELECT id FROM people WHERE case_id = OLD.case_id));
END;

DROP TRIGGER IF EXISTS kb_stamp_consents_ins;
CREATE TRIGGER kb_stamp_consents_ins AFTER INSERT ON consents FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_b WHERE m.person_a IN (SELECT id FROM people WHERE case_id = NEW.case_id) UNION SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_a WHERE m.person_b IN (SELECT id FROM people WHERE case_id = NEW.case_id));
END;

DROP TRIGGER IF EXISTS kb_stamp_consents_upd;
CREATE TRIGGER kb_stamp_consents_upd AFTER UPDATE ON consents FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_b WHERE m.person_a IN (SELECT id FROM people WHERE case_id = NEW.case_id) UNION SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_a WHERE m.person_b IN (SELECT id FROM people WHERE case_id = NEW.case_id));
END;

DROP TRIGGER IF EXISTS kb_stamp_consents_del;
CREATE TRIGGER kb_stamp_consents_del AFTER DELETE ON consents FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_b WHERE m.person_a IN (SELECT id FROM people WHERE case_id = OLD.case_id) UNION SELECT p.case_id FROM match_candidates m JOIN people p ON p.id = m.person_a WHERE m.person_b IN (SELECT id FROM people WHERE case_id = OLD.case_id));
END;

DROP TRIGGER IF EXISTS kb_stamp_match_candidates_ins;
CREATE TRIGGER kb_stamp_match_candidates_ins AFTER INSERT ON match_candidates FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (SELECT case_id FROM people WHERE id IN (NEW.person_a, NEW.person_b));
END;

DROP TRIGGER IF EXISTS kb_stamp_match_candidates_upd;
CREATE TRIGGER kb_stamp_match_candidates_upd AFTER UPDATE ON match_candidates FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (SELECT case_id FROM people WHERE id IN (NEW.person_a, NEW.person_b));
END;

DROP TRIGGER IF EXISTS kb_stamp_match_candidates_del;
CREATE TRIGGER kb_stamp_match_candidates_del AFTER DELETE ON match_candidates FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (SELECT case_id FROM people WHERE id IN (OLD.person_a, OLD.person_b));
END;

DROP TRIGGER IF EXISTS kb_stamp_cases_upd;
CREATE TRIGGER kb_stamp_cases_upd AFTER UPDATE ON cases FOR EACH ROW WHEN NEW.detail_stamp = OLD.detail_stamp BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.id;
END;
