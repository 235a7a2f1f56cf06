-- Each user reads times in their own time zone (an IANA name); UTC until they choose one.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
