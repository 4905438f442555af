-- Ranked full-text search over the library (issue 22), like the forum's: each item's words as a generated
-- column (the title weighted above the rest), so every write path is indexed, with a GIN index.
ALTER TABLE articles ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') || to_tsvector('english', summary || ' ' || body_md || ' ' || tags)
) STORED;
CREATE INDEX articles_search ON articles USING GIN (search);

ALTER TABLE resources ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
        || to_tsvector('english', description_md || ' ' || kind || ' ' || tags)
) STORED;
CREATE INDEX resources_search ON resources USING GIN (search);

-- An anonymised case study is found by what readers see (its label), never by its organisation's name.
ALTER TABLE case_studies ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
        || to_tsvector('english', organisation_label || ' ' || sector || ' ' || size_band || ' ' || region || ' '
            || challenge_md || ' ' || approach_md || ' ' || results_md || ' ' || lessons_md || ' ' || tags)
) STORED;
CREATE INDEX case_studies_search ON case_studies USING GIN (search);

-- The meeting list and the home page read upcoming meetings by when they end (issue 22).
CREATE INDEX meetings_ends ON meetings (ends_at);
