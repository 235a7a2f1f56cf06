-- A case's plan: goals, the tasks planned to reach them (owner, due date), and reviews.
CREATE TABLE case_goals (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    text TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_goals_case ON case_goals(case_id);

CREATE TABLE case_tasks (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    goal_id TEXT REFERENCES case_goals(id),
    title TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users(id),
    due_on TEXT NOT NULL,
    done_on TEXT,
    done_by TEXT REFERENCES users(id),
    -- When the owner was reminded that the task is due (once).
    reminded_at TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks(case_id);
CREATE INDEX case_tasks_owner ON case_tasks(owner_id, done_on, due_on);
CREATE INDEX case_tasks_due ON case_tasks(reminded_at, done_on, due_on);

CREATE TABLE case_reviews (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    held_on TEXT NOT NULL,
    summary TEXT NOT NULL,
    next_review_on TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_reviews_case ON case_reviews(case_id, held_on);
