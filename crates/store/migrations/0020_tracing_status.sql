-- A tracing request has a status: open until the person is found, or the search ends
-- without finding them, or the inquirer withdraws; with the day it ended and why.
ALTER TABLE tracing_requests ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE tracing_requests ADD COLUMN closed_on TEXT;
ALTER TABLE tracing_requests ADD COLUMN closing_note TEXT NOT NULL DEFAULT '';
