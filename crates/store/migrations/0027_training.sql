-- The academy. A course's content (titles, modules, question bank, quiz settings) is kept as
-- JSON in versions that never change once published; a learner's attempt names the version
-- it started on. Titles are copied to the course for lists.
CREATE TABLE training_courses (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    titles TEXT NOT NULL,
    current_version BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE training_course_versions (
    course_id TEXT NOT NULL REFERENCES training_courses(id),
    version BIGINT NOT NULL,
    content TEXT NOT NULL,
    published_by TEXT REFERENCES users(id),
    published_at TEXT NOT NULL,
    PRIMARY KEY (course_id, version)
);

-- One attempt at a course's quiz: the questions drawn with their shown order, the answers
-- saved so far, the server's deadline, and once finished its score. Numbered per learner,
-- course and version, so two starts at once cannot both take the last allowed attempt.
CREATE TABLE training_attempts (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    course_id TEXT NOT NULL REFERENCES training_courses(id),
    version BIGINT NOT NULL,
    number BIGINT NOT NULL,
    language TEXT NOT NULL,
    drawn TEXT NOT NULL,
    responses TEXT NOT NULL,
    started_at TEXT NOT NULL,
    deadline TEXT,
    finished_at TEXT,
    percent DOUBLE PRECISION,
    passed BIGINT,
    UNIQUE (user_id, course_id, version, number)
);
CREATE INDEX training_attempts_finished ON training_attempts(finished_at);

-- A passed attempt completes its course; never changed or removed.
CREATE TABLE training_completions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    course_id TEXT NOT NULL REFERENCES training_courses(id),
    version BIGINT NOT NULL,
    attempt_id TEXT NOT NULL UNIQUE REFERENCES training_attempts(id),
    percent DOUBLE PRECISION NOT NULL,
    completed_at TEXT NOT NULL
);
CREATE INDEX training_completions_user_course ON training_completions(user_id, course_id, completed_at);

-- The certificate of a completion, checked by its code; revoked, never deleted.
CREATE TABLE training_certificates (
    code TEXT PRIMARY KEY,
    completion_id TEXT NOT NULL UNIQUE REFERENCES training_completions(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    course_id TEXT NOT NULL REFERENCES training_courses(id),
    issued_at TEXT NOT NULL,
    expires_on TEXT,
    revoked_at TEXT,
    revoked_reason TEXT
);
CREATE INDEX training_certificates_user ON training_certificates(user_id);

-- Curricula: which course is compulsory for whom, how often. A requirement names a role
-- (every member's, or one member's when member_id is set), or no role: then it binds the people
-- enrolled in its curriculum (an external programme). `gates` marks the courses a member's
-- case-file gate looks at.
CREATE TABLE training_requirements (
    id TEXT PRIMARY KEY,
    curriculum TEXT NOT NULL,
    course_id TEXT NOT NULL REFERENCES training_courses(id),
    role TEXT,
    member_id TEXT REFERENCES members(id),
    validity_months BIGINT NOT NULL,
    window_days BIGINT NOT NULL,
    gates BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX training_requirements_course ON training_requirements(course_id);

CREATE TABLE training_enrolments (
    user_id TEXT NOT NULL REFERENCES users(id),
    curriculum TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    PRIMARY KEY (user_id, curriculum)
);

-- Each reminder about one deadline, recorded when sent: the key makes it once, however many
-- servers run the scheduler.
CREATE TABLE training_reminders (
    user_id TEXT NOT NULL REFERENCES users(id),
    course_id TEXT NOT NULL REFERENCES training_courses(id),
    deadline TEXT NOT NULL,
    kind TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (user_id, course_id, deadline, kind)
);

-- A member's switch: case files need current compulsory training.
ALTER TABLE members ADD COLUMN training_gate BIGINT NOT NULL DEFAULT 0;
