-- A partner's answer is flagged on the sending side until someone there reads it.
ALTER TABLE requests ADD COLUMN answer_read_at TEXT;

-- What each user is told: a request received, an answer, a shared match, a task due. The
-- detail is a list of facts (as on the timeline), rendered in the reader's language.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    case_id TEXT REFERENCES cases(id),
    request_id TEXT REFERENCES requests(id),
    facts TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_user ON notifications(user_id, read_at, created_at);
CREATE INDEX notifications_request ON notifications(request_id);
