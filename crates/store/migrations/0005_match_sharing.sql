-- A possible match across two members is shown to each as "held by member X" until that member
-- shares its side of the pair: then the other sees the shared person's name, sex and date of
-- birth next to its own, with each field's agreement. Sharing is per pair and per side.
ALTER TABLE match_candidates ADD COLUMN shared_a_at TEXT;
ALTER TABLE match_candidates ADD COLUMN shared_b_at TEXT;
