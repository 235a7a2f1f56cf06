-- The function that appends a read-audit group in one round trip (see
-- `crates/store/src/audit/postgres.rs`): it locks the chain's head, checks that the head and
-- the page stamps of the group's checked reads are what the writer expects, and only then
-- inserts the entries (hashed by the writer) and moves the head. Installed at every start
-- before this version; from this version here.
CREATE OR REPLACE FUNCTION kb_audit_append(want_seq BIGINT, want_hash TEXT, checks TEXT, entries TEXT, new_seq BIGINT, new_hash TEXT)
RETURNS TEXT LANGUAGE plpgsql VOLATILE AS $f$
DECLARE
  head_seq BIGINT;
  head_hash TEXT;
  stale BOOLEAN;
BEGIN
  UPDATE audit_head SET seq = audit_head.seq WHERE id = 1 RETURNING audit_head.seq, audit_head.hash INTO head_seq, head_hash;
  SELECT EXISTS (
    SELECT 1 FROM json_array_elements(checks::json) AS k(v) LEFT JOIN cases c ON c.id = k.v->>0
    WHERE c.detail_stamp IS DISTINCT FROM (k.v->>1)::BIGINT
  ) INTO stale;
  IF head_seq IS DISTINCT FROM want_seq OR head_hash IS DISTINCT FROM want_hash OR stale THEN
    RETURN json_build_object(
      'seq', head_seq,
      'hash', head_hash,
      'stamps', (SELECT coalesce(json_object_agg(c.id, c.detail_stamp), '{}'::json) FROM cases c
                 WHERE c.id IN (SELECT k.v->>0 FROM json_array_elements(checks::json) AS k(v)))
    )::TEXT;
  END IF;
  INSERT INTO audit_log (seq, at, user_id, member_id, ip, action, entity, entity_id, detail, prev_hash, hash)
    SELECT e.seq, e.at, e.user_id, e.member_id, e.ip, e.action, e.entity, e.entity_id, e.detail, e.prev_hash, e.hash
    FROM json_to_recordset(entries::json) AS e(seq BIGINT, at TEXT, user_id TEXT, member_id TEXT, ip TEXT,
      action TEXT, entity TEXT, entity_id TEXT, detail TEXT, prev_hash TEXT, hash TEXT);
  UPDATE audit_head SET seq = new_seq, hash = new_hash WHERE id = 1;
  RETURN NULL;
END $f$;
