-- Plans and assessments show on the case page: changes to their rows raise the page's stamp
-- (see 0013); written per backend, like 0013.
CREATE TRIGGER kb_stamp_case_goals_ins AFTER INSERT ON case_goals FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
END;
CREATE TRIGGER kb_stamp_case_goals_upd AFTER UPDATE ON case_goals FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (NEW.case_id, OLD.case_id);
END;
CREATE TRIGGER kb_stamp_case_goals_del AFTER DELETE ON case_goals FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
END;
CREATE TRIGGER kb_stamp_case_tasks_ins AFTER INSERT ON case_tasks FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
END;
CREATE TRIGGER kb_stamp_case_tasks_upd AFTER UPDATE ON case_tasks FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (NEW.case_id, OLD.case_id);
END;
CREATE TRIGGER kb_stamp_case_tasks_del AFTER DELETE ON case_tasks FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
END;
CREATE TRIGGER kb_stamp_case_reviews_ins AFTER INSERT ON case_reviews FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
END;
CREATE TRIGGER kb_stamp_case_reviews_upd AFTER UPDATE ON case_reviews FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (NEW.case_id, OLD.case_id);
END;
CREATE TRIGGER kb_stamp_case_reviews_del AFTER DELETE ON case_reviews FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
END;
CREATE TRIGGER kb_stamp_case_assessments_ins AFTER INSERT ON case_assessments FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = NEW.case_id;
END;
CREATE TRIGGER kb_stamp_case_assessments_upd AFTER UPDATE ON case_assessments FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id IN (NEW.case_id, OLD.case_id);
END;
CREATE TRIGGER kb_stamp_case_assessments_del AFTER DELETE ON case_assessments FOR EACH ROW BEGIN
    UPDATE cases SET detail_stamp = detail_stamp + 1 WHERE id = OLD.case_id;
END;
