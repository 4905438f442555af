-- The benchmark (issue 18), its assessments: an organisation's answers to one framework version, a draft until
-- submitted (then frozen); at most one submitted per organisation and calendar quarter (a second replaces the
-- first, kept as 'replaced'). Dimensions are named by key, so tags and opt-ins outlive a framework version.

-- Organisers edit one draft of the framework at a time.
CREATE UNIQUE INDEX benchmark_one_draft_framework ON benchmark_frameworks (status) WHERE status = 'draft';

CREATE TABLE benchmark_assessments (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    framework_id TEXT NOT NULL REFERENCES benchmark_frameworks (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'replaced')),
    quarter TEXT,                          -- '2026-Q4', in the network's time zone, once submitted
    started_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    submitted_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    submitted_at TEXT
);
-- Colleagues work on one draft together.
CREATE UNIQUE INDEX benchmark_one_draft ON benchmark_assessments (organisation_id) WHERE status = 'draft';
CREATE UNIQUE INDEX benchmark_one_per_quarter ON benchmark_assessments (organisation_id, quarter)
    WHERE status = 'submitted';
CREATE INDEX benchmark_assessments_peers ON benchmark_assessments (framework_id, status, submitted_at);

CREATE TABLE benchmark_answers (
    assessment_id TEXT NOT NULL REFERENCES benchmark_assessments (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL REFERENCES benchmark_questions (id),
    level BIGINT CHECK (level BETWEEN 1 AND 5),   -- NULL: "don't know"
    evidence TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    answered_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    answered_at TEXT NOT NULL,
    carried_over BOOLEAN NOT NULL DEFAULT FALSE,  -- copied from the last assessment, not yet confirmed
    PRIMARY KEY (assessment_id, question_id)
);

-- Optional outcome measures beside an assessment (the list and units are `benchmark::measures::MEASURES`).
CREATE TABLE benchmark_measures (
    assessment_id TEXT NOT NULL REFERENCES benchmark_assessments (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value REAL NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, key)
);

-- The organisation's target per dimension for its next assessment, set on a submitted one.
CREATE TABLE benchmark_targets (
    assessment_id TEXT NOT NULL REFERENCES benchmark_assessments (id) ON DELETE CASCADE,
    dimension_key TEXT NOT NULL,
    target REAL NOT NULL CHECK (target BETWEEN 1 AND 5),
    PRIMARY KEY (assessment_id, dimension_key)
);

-- Colleagues asked to contribute (they may anyway, as members of the organisation; this is who was asked).
CREATE TABLE benchmark_contributors (
    assessment_id TEXT NOT NULL REFERENCES benchmark_assessments (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invited_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    invited_at TEXT NOT NULL,
    PRIMARY KEY (assessment_id, user_id)
);

-- Organisers tag library items, case studies and meetings with the dimensions they help with.
CREATE TABLE benchmark_tags (
    dimension_key TEXT NOT NULL,
    item_kind TEXT NOT NULL CHECK (item_kind IN ('article', 'resource', 'case_study', 'meeting')),
    item_id TEXT NOT NULL,
    PRIMARY KEY (dimension_key, item_kind, item_id)
);
CREATE INDEX benchmark_tags_item ON benchmark_tags (item_kind, item_id);

-- Members willing to talk about their organisation's practice in a dimension (an opt-in on their profile).
-- It names the employer it was given for: moving to another organisation does not carry it over.
CREATE TABLE benchmark_willing (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    dimension_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, dimension_key)
);
