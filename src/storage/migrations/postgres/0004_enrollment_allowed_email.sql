-- Allowances are looked up by e-mail case-insensitively (lower(email) =
-- lower(?)): on registration, in bulk enrollment and in the
-- enrollment_allowed API. Without this index each lookup scans the table.
CREATE INDEX enrollment_allowed_lower_email ON enrollment_allowed (lower(email));
