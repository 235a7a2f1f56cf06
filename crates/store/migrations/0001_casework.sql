-- Casework core. Portable SQL: the same file runs on SQLite and PostgreSQL.
-- Ids are UUID text; timestamps are UTC text 'YYYY-MM-DDTHH:MM:SS.mmmZ' and dates 'YYYY-MM-DD',
-- which sort and compare correctly as text on both backends.

CREATE TABLE members (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    kind TEXT NOT NULL,
    languages TEXT NOT NULL,
    services TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    address TEXT NOT NULL,
    next_case_number BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members(id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    locale TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX users_member ON users(member_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL,
    success BIGINT NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts(email, at);
CREATE INDEX login_attempts_ip ON login_attempts(ip, at);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members(id),
    reference TEXT NOT NULL UNIQUE,
    service TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    child_views TEXT NOT NULL,
    assignee_id TEXT REFERENCES users(id),
    partner_country TEXT,
    opened_on TEXT NOT NULL,
    first_response_on TEXT,
    closed_on TEXT,
    outcome TEXT,
    proposed_outcome TEXT,
    search_text TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX cases_member_opened ON cases(member_id, opened_on);
CREATE INDEX cases_member_status ON cases(member_id, status, opened_on);
CREATE INDEX cases_assignee ON cases(assignee_id, status);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    role TEXT NOT NULL,
    given_names TEXT NOT NULL,
    family_name TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_date TEXT,
    birth_date_estimated BIGINT NOT NULL,
    nationalities TEXT NOT NULL,
    languages TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX people_case ON people(case_id);

CREATE TABLE relationships (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    from_person_id TEXT NOT NULL REFERENCES people(id),
    to_person_id TEXT NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX relationships_case ON relationships(case_id);

CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    scope TEXT NOT NULL,
    given_by TEXT NOT NULL,
    given_on TEXT NOT NULL,
    withdrawn_on TEXT,
    recorded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX consents_case ON consents(case_id);

CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX notes_case ON notes(case_id, created_at);

CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    from_member_id TEXT NOT NULL REFERENCES members(id),
    to_member_id TEXT NOT NULL REFERENCES members(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    subject TEXT NOT NULL,
    due_on TEXT NOT NULL,
    assignee_id TEXT REFERENCES users(id),
    decline_reason TEXT,
    sent_at TEXT NOT NULL,
    acknowledged_at TEXT,
    answered_at TEXT,
    closed_at TEXT,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX requests_to ON requests(to_member_id, status, due_on);
CREATE INDEX requests_from ON requests(from_member_id, status, due_on);
CREATE INDEX requests_case ON requests(case_id);

CREATE TABLE request_messages (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    author_member_id TEXT NOT NULL REFERENCES members(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX request_messages_request ON request_messages(request_id, created_at);

CREATE TABLE request_people (
    request_id TEXT NOT NULL REFERENCES requests(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (request_id, person_id)
);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    owner_member_id TEXT NOT NULL REFERENCES members(id),
    case_id TEXT REFERENCES cases(id),
    request_id TEXT REFERENCES requests(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX documents_case ON documents(case_id);
CREATE INDEX documents_request ON documents(request_id);

CREATE TABLE request_documents (
    request_id TEXT NOT NULL REFERENCES requests(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    PRIMARY KEY (request_id, document_id)
);
CREATE INDEX request_documents_document ON request_documents(document_id);

CREATE TABLE case_events (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    at TEXT NOT NULL,
    actor_id TEXT,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events(case_id, at);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    user_id TEXT,
    member_id TEXT,
    ip TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

-- The head of the audit chain. Every write transaction updates this row first, which
-- serialises appends on both backends and takes SQLite's write lock up front.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
