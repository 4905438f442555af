-- Ranked full-text search over the library (issue 22), like the forum's: one FTS5 index for articles,
-- resources and case studies, kept in step by triggers so that every write path (forms, demo, region renames)
-- is indexed. `heading` is the title (matches there rank higher), `words` the rest a search looks in.
CREATE VIRTUAL TABLE library_search USING fts5(
    item_kind UNINDEXED, item_id UNINDEXED, heading, words, tokenize = 'porter unicode61'
);
-- `ORDER BY rank` weighs a match in the title four times one in the rest (PostgreSQL weighs the title as A).
INSERT INTO library_search (library_search, rank) VALUES ('rank', 'bm25(0.0, 0.0, 4.0, 1.0)');

CREATE TRIGGER articles_search_insert AFTER INSERT ON articles BEGIN
    INSERT INTO library_search (item_kind, item_id, heading, words)
    VALUES ('article', new.id, new.title, new.summary || ' ' || new.body_md || ' ' || new.tags);
END;
CREATE TRIGGER articles_search_update AFTER UPDATE OF title, summary, body_md, tags ON articles BEGIN
    DELETE FROM library_search WHERE item_kind = 'article' AND item_id = old.id;
    INSERT INTO library_search (item_kind, item_id, heading, words)
    VALUES ('article', new.id, new.title, new.summary || ' ' || new.body_md || ' ' || new.tags);
END;
CREATE TRIGGER articles_search_delete AFTER DELETE ON articles BEGIN
    DELETE FROM library_search WHERE item_kind = 'article' AND item_id = old.id;
END;

CREATE TRIGGER resources_search_insert AFTER INSERT ON resources BEGIN
    INSERT INTO library_search (item_kind, item_id, heading, words)
    VALUES ('resource', new.id, new.title, new.description_md || ' ' || new.kind || ' ' || new.tags);
END;
CREATE TRIGGER resources_search_update AFTER UPDATE OF title, description_md, kind, tags ON resources BEGIN
    DELETE FROM library_search WHERE item_kind = 'resource' AND item_id = old.id;
    INSERT INTO library_search (item_kind, item_id, heading, words)
    VALUES ('resource', new.id, new.title, new.description_md || ' ' || new.kind || ' ' || new.tags);
END;
CREATE TRIGGER resources_search_delete AFTER DELETE ON resources BEGIN
    DELETE FROM library_search WHERE item_kind = 'resource' AND item_id = old.id;
END;

-- An anonymised case study is found by what readers see (its label), never by its organisation's name.
CREATE TRIGGER case_studies_search_insert AFTER INSERT ON case_studies BEGIN
    INSERT INTO library_search (item_kind, item_id, heading, words)
    VALUES ('case_study', new.id, new.title, new.organisation_label || ' ' || new.sector || ' ' || new.size_band || ' '
        || new.region || ' ' || new.challenge_md || ' ' || new.approach_md || ' ' || new.results_md || ' '
        || new.lessons_md || ' ' || new.tags);
END;
CREATE TRIGGER case_studies_search_update AFTER UPDATE OF title, organisation_label, sector, size_band, region,
    challenge_md, approach_md, results_md, lessons_md, tags ON case_studies BEGIN
    DELETE FROM library_search WHERE item_kind = 'case_study' AND item_id = old.id;
    INSERT INTO library_search (item_kind, item_id, heading, words)
    VALUES ('case_study', new.id, new.title, new.organisation_label || ' ' || new.sector || ' ' || new.size_band || ' '
        || new.region || ' ' || new.challenge_md || ' ' || new.approach_md || ' ' || new.results_md || ' '
        || new.lessons_md || ' ' || new.tags);
END;
CREATE TRIGGER case_studies_search_delete AFTER DELETE ON case_studies BEGIN
    DELETE FROM library_search WHERE item_kind = 'case_study' AND item_id = old.id;
END;

INSERT INTO library_search (item_kind, item_id, heading, words)
SELECT 'article', id, title, summary || ' ' || body_md || ' ' || tags FROM articles;
INSERT INTO library_search (item_kind, item_id, heading, words)
SELECT 'resource', id, title, description_md || ' ' || kind || ' ' || tags FROM resources;
INSERT INTO library_search (item_kind, item_id, heading, words)
SELECT 'case_study', id, title, organisation_label || ' ' || sector || ' ' || size_band || ' ' || region || ' '
    || challenge_md || ' ' || approach_md || ' ' || results_md || ' ' || lessons_md || ' ' || tags
FROM case_studies;

-- The meeting list and the home page read upcoming meetings by when they end (issue 22).
CREATE INDEX meetings_ends ON meetings (ends_at);

-- Search reads a broad query's matches newest first (issue 22).
CREATE INDEX forum_posts_created ON forum_posts (created_at);

-- The outbox claim takes pending mail by priority, then due time (migration 0019's outbox_next). With this
-- older index beside it, SQLite chose it for the claim and sorted every waiting message on every claim
-- (about 20 ms of CPU per message during a 10,000-copy send; issue 22).
DROP INDEX outbox_due;
