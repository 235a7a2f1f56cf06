-- A reference code is unique within its holding member's archives, not across the network:
-- another member's closed unit must not be detectable by the code it took.
ALTER TABLE archive_units DROP CONSTRAINT archive_units_reference_code_key;
CREATE UNIQUE INDEX archive_units_member_reference ON archive_units(member_id, reference_code);
