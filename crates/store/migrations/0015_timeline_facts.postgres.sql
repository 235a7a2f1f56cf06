-- A timeline line's detail becomes a JSON list of facts (typed text, coded terms, changes),
-- rendered in each reader's language. A line written before keeps its text as typed text.
UPDATE case_events
SET detail = CASE WHEN detail = '' THEN '[]' ELSE json_build_array(json_build_object('t', 'text', 'v', detail))::text END
WHERE detail NOT LIKE '[%';
