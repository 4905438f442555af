-- Who is going (issue 21): a member registered for a meeting may show their name to other members on the
-- meeting's page, or be counted without it. Registrations made before this was asked stay unnamed.
ALTER TABLE registrations ADD COLUMN name_shown BOOLEAN NOT NULL DEFAULT FALSE;
