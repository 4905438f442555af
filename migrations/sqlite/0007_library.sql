-- The knowledge library: articles written by organisers and resources (a file or a link), each for an
-- audience: everyone, members, or one group. "Special articles" are the members-only ones.

CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('public', 'members', 'group')),
    group_id TEXT REFERENCES network_groups (id) ON DELETE SET NULL,
    author_name TEXT NOT NULL,
    disciplines TEXT NOT NULL,           -- comma-separated: people, workplace, technology, change
    tags TEXT NOT NULL,                  -- comma-separated, lower-case
    published BOOLEAN NOT NULL,
    publish_at TEXT NOT NULL,            -- a future time: scheduled
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX articles_listed ON articles (published, publish_at);

CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description_md TEXT NOT NULL,
    description_html TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('guide', 'research', 'template', 'checklist', 'slides', 'recording', 'tool')),
    link_url TEXT,                       -- a resource is a link or a file
    file_id TEXT REFERENCES files (id) ON DELETE SET NULL,
    file_name TEXT,                      -- a safe name for the download
    file_type TEXT,                      -- decided from the bytes
    file_size BIGINT,
    audience TEXT NOT NULL CHECK (audience IN ('public', 'members', 'group')),
    group_id TEXT REFERENCES network_groups (id) ON DELETE SET NULL,
    supporter_id TEXT REFERENCES supporters (id) ON DELETE SET NULL,
    disciplines TEXT NOT NULL,
    tags TEXT NOT NULL,
    downloads BIGINT NOT NULL DEFAULT 0,
    published BOOLEAN NOT NULL,
    publish_at TEXT NOT NULL,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX resources_listed ON resources (published, publish_at);
CREATE INDEX resources_supporter ON resources (supporter_id);
