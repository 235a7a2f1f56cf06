-- Plans and assessments show on the case page: changes to their rows raise the page's stamp
-- (see 0013); written per backend, like 0013.
CREATE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON case_goals FOR EACH ROW EXECUTE FUNCTION kb_stamp_case();
CREATE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON case_tasks FOR EACH ROW EXECUTE FUNCTION kb_stamp_case();
CREATE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON case_reviews FOR EACH ROW EXECUTE FUNCTION kb_stamp_case();
CREATE TRIGGER kb_stamp AFTER INSERT OR UPDATE OR DELETE ON case_assessments FOR EACH ROW EXECUTE FUNCTION kb_stamp_case();
