-- Case studies: how an organisation (named, or anonymised) implemented Smart Working, in a fixed shape so
-- members can compare them; linked to the meeting where it was presented, to related resources, and to the
-- members who are willing to talk about it.

CREATE TABLE case_studies (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    organisation_id TEXT REFERENCES organisations (id) ON DELETE SET NULL,
    anonymised BOOLEAN NOT NULL,
    organisation_label TEXT NOT NULL,    -- what readers see instead of the name when anonymised
    sector TEXT NOT NULL,
    size_band TEXT NOT NULL,
    region TEXT NOT NULL,
    challenge_md TEXT NOT NULL,
    challenge_html TEXT NOT NULL,
    approach_md TEXT NOT NULL,
    approach_html TEXT NOT NULL,
    results_md TEXT NOT NULL,            -- with figures
    results_html TEXT NOT NULL,
    lessons_md TEXT NOT NULL,
    lessons_html TEXT NOT NULL,
    meeting_id TEXT REFERENCES meetings (id) ON DELETE SET NULL,
    audience TEXT NOT NULL CHECK (audience IN ('public', 'members', 'group')),
    group_id TEXT REFERENCES network_groups (id) ON DELETE SET NULL,
    disciplines TEXT NOT NULL,
    tags TEXT NOT NULL,
    published BOOLEAN NOT NULL,
    publish_at TEXT NOT NULL,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX case_studies_listed ON case_studies (published, publish_at);

-- Members willing to talk to other members about the case study (shown to members only).
CREATE TABLE case_study_contacts (
    case_study_id TEXT NOT NULL REFERENCES case_studies (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (case_study_id, user_id)
);

CREATE TABLE case_study_resources (
    case_study_id TEXT NOT NULL REFERENCES case_studies (id) ON DELETE CASCADE,
    resource_id TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    PRIMARY KEY (case_study_id, resource_id)
);
