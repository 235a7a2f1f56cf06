-- An open unit was stored as open from the earliest date the calendar has ("-262143-01-01"),
-- which showed as such: it is open from its latest date now, or from the day it was described.
UPDATE archive_units SET open_from = COALESCE(date_to, date_from, substr(created_at, 1, 10))
WHERE open_from LIKE '-%';
