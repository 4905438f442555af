-- The regions organisations are in: a list organisers keep, so a newsletter sent to a region and the directory's
-- filter name the same places an applicant chose from. It starts with the UK's nations and regions and every
-- region organisations already gave.
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
    SELECT DISTINCT region, 1000 FROM organisations
    WHERE region <> '' AND region NOT IN (SELECT name FROM regions);
