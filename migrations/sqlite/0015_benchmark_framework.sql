-- The benchmark (issue 18), its framework: versions organisers publish (a draft until then), each with its
-- dimensions and questions. A dimension keeps its key across versions, so tags and opt-ins outlive a version.

CREATE TABLE benchmark_frameworks (
    id TEXT PRIMARY KEY,
    version BIGINT UNIQUE,                 -- 1, 2, ... once published; NULL for a draft
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    published_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE benchmark_dimensions (
    id TEXT PRIMARY KEY,
    framework_id TEXT NOT NULL REFERENCES benchmark_frameworks (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    UNIQUE (framework_id, key)
);

CREATE TABLE benchmark_questions (
    id TEXT PRIMARY KEY,
    dimension_id TEXT NOT NULL REFERENCES benchmark_dimensions (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    text TEXT NOT NULL,
    levels TEXT NOT NULL,                  -- JSON: the five level descriptors, 1 to 5
    position BIGINT NOT NULL
);
CREATE INDEX benchmark_questions_dimension ON benchmark_questions (dimension_id, position);
