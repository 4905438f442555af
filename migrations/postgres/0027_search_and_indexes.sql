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

-- Search reads a broad query's matches newest first (issue 22).
CREATE INDEX forum_posts_created ON forum_posts (created_at);

-- The outbox claim takes pending mail by priority, then due time (migration 0019's outbox_next). With this
-- older index beside it, SQLite chose it for the claim and sorted every waiting message on every claim
-- (about 20 ms of CPU per message during a 10,000-copy send; issue 22).
DROP INDEX outbox_due;
