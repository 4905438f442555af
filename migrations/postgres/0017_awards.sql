-- The awards (issue 19), their programmes: a yearly programme with its timeline (moments, typed in the
-- network's time zone), its categories (who may enter, the score scale, the spread that flags disagreement),
-- and each category's criteria with their weights and guidance for judges.

CREATE TABLE award_programmes (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    year BIGINT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    entries_open_at TIMESTAMPTZ NOT NULL,
    entries_close_at TIMESTAMPTZ NOT NULL,
    judging_opens_at TIMESTAMPTZ NOT NULL,
    judging_closes_at TIMESTAMPTZ NOT NULL,
    shortlist_at TIMESTAMPTZ,                     -- when the shortlist may be published (set by the organisers)
    winners_at TIMESTAMPTZ,                       -- when the winners may be announced
    shortlist_published_at TIMESTAMPTZ,           -- when an organiser published it (a deliberate act)
    winners_published_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE award_categories (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES award_programmes (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    open_to TEXT NOT NULL CHECK (open_to IN ('members', 'anyone')),
    scale_max BIGINT NOT NULL CHECK (scale_max BETWEEN 3 AND 100),
    disagreement DOUBLE PRECISION NOT NULL,            -- a spread of judges' weighted scores above this is flagged
    guidance TEXT NOT NULL DEFAULT '',     -- for judges
    position BIGINT NOT NULL,
    UNIQUE (programme_id, slug)
);

CREATE TABLE award_criteria (
    id TEXT PRIMARY KEY,
    category_id TEXT NOT NULL REFERENCES award_categories (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    weight DOUBLE PRECISION NOT NULL CHECK (weight > 0),
    guidance TEXT NOT NULL DEFAULT '',
    position BIGINT NOT NULL
);
CREATE INDEX award_criteria_category ON award_criteria (category_id, position);

-- Entries: a draft saved as typed, submitted before the close, withdrawn or edited until then; organisers may
-- return one with a reason. An entry belongs to its organisation (any of its current members may work on it);
-- its author is kept for the receipt and the data export.
CREATE TABLE award_entries (
    id TEXT PRIMARY KEY,
    category_id TEXT NOT NULL REFERENCES award_categories (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    author_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'withdrawn', 'returned')),
    title TEXT NOT NULL,
    team TEXT NOT NULL DEFAULT '',
    context TEXT NOT NULL DEFAULT '',
    what_was_done TEXT NOT NULL DEFAULT '',
    benefits TEXT NOT NULL DEFAULT '',
    links TEXT NOT NULL DEFAULT '',        -- one address a line
    returned_reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    submitted_at TIMESTAMPTZ
);
CREATE INDEX award_entries_category ON award_entries (category_id, status);
CREATE INDEX award_entries_organisation ON award_entries (organisation_id);

-- Measurable outcomes: at least one for a submitted entry.
CREATE TABLE award_outcomes (
    entry_id TEXT NOT NULL REFERENCES award_entries (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    measure TEXT NOT NULL,
    baseline TEXT NOT NULL,
    result TEXT NOT NULL,
    unit TEXT NOT NULL,
    PRIMARY KEY (entry_id, position)
);
