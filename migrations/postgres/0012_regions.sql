-- The regions organisations are in: a list organisers keep, so a newsletter sent to a region and the directory's
-- filter name the same places an applicant chose from. It starts with the UK's nations and regions and every
-- region organisations, applications and case studies already gave (one spelling each, whatever the case).
CREATE TABLE regions (
    name TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);
INSERT INTO regions (name, position) VALUES
    ('London', 10),
    ('South East England', 20),
    ('South West England', 30),
    ('East of England', 40),
    ('East Midlands', 50),
    ('West Midlands', 60),
    ('Yorkshire and the Humber', 70),
    ('North West England', 80),
    ('North East England', 90),
    ('Scotland', 100),
    ('Wales', 110),
    ('Northern Ireland', 120),
    ('Europe outside the UK', 130),
    ('Rest of the world', 140);
INSERT INTO regions (name, position)
    SELECT MIN(TRIM(given.region)), 1000
    FROM (SELECT region FROM organisations
          UNION SELECT region FROM applications
          UNION SELECT region FROM case_studies) given
    WHERE TRIM(given.region) <> ''
      AND LOWER(TRIM(given.region)) NOT IN (SELECT LOWER(name) FROM regions)
    GROUP BY LOWER(TRIM(given.region));
-- Organisations and case studies then name their region as the list spells it.
UPDATE organisations SET region = (SELECT r.name FROM regions r WHERE LOWER(r.name) = LOWER(TRIM(organisations.region)))
    WHERE EXISTS (SELECT 1 FROM regions r WHERE LOWER(r.name) = LOWER(TRIM(organisations.region)));
UPDATE case_studies SET region = (SELECT r.name FROM regions r WHERE LOWER(r.name) = LOWER(TRIM(case_studies.region)))
    WHERE EXISTS (SELECT 1 FROM regions r WHERE LOWER(r.name) = LOWER(TRIM(case_studies.region)));
