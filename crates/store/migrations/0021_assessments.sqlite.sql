-- Assessments on a case: the network's forms (best interests, home study), versioned, with
-- their answers as JSON, written, submitted and signed off by a supervisor who did not write it.
CREATE TABLE case_assessments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    form_version BIGINT NOT NULL,
    answers TEXT NOT NULL,
    risk TEXT,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    signed_by TEXT REFERENCES users(id),
    signed_at TEXT,
    version BIGINT NOT NULL
);
CREATE INDEX case_assessments_case ON case_assessments(case_id, created_at);

-- Assessments show on the case page: their changes raise the page's stamp (see 0013).
CREATE TRIGGER kb_stamp_case_assessments_ins AFTER INSERT ON case_assessments FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
END;
CREATE TRIGGER kb_stamp_case_assessments_upd AFTER UPDATE ON case_assessments FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (NEW.case_id, OLD.case_id);
END;
CREATE TRIGGER kb_stamp_case_assessments_del AFTER DELETE ON case_assessments FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
END;
