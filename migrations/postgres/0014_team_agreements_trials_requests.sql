-- The Smart Working toolkit, part 2: team agreements, trial periods, flexible-working requests, conversation
-- guides. Dates a person chooses (a review, a trial's start) are kept as 'YYYY-MM-DD' text on both engines:
-- they are days in the network's time zone, not instants.

-- What organisers write for each section of a team agreement: its title, prompts and an example (Markdown).
CREATE TABLE agreement_sections (
    key TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    prompt TEXT NOT NULL,
    example TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- A team space's agreement: the version proposed for agreement, the version in force, and its review.
CREATE TABLE team_agreements (
    space_id TEXT PRIMARY KEY REFERENCES team_spaces (id) ON DELETE CASCADE,
    proposed_version BIGINT,
    proposed_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    proposed_at TIMESTAMPTZ,
    in_force_version BIGINT,
    in_force_at TIMESTAMPTZ,
    review_on TEXT,
    plan_source TEXT NOT NULL,             -- which plan "Where and when we work" was prefilled from, in words
    created_at TIMESTAMPTZ NOT NULL
);

-- Every saved change: the whole text at that version (JSON, section key to Markdown) and the section changed.
-- The key makes two saves at once two versions or one refusal, never one lost text.
CREATE TABLE agreement_versions (
    space_id TEXT NOT NULL REFERENCES team_agreements (space_id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    section TEXT NOT NULL,
    sections TEXT NOT NULL,
    author_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (space_id, number)
);

-- Each person's answer to a proposed version: agree, or ask for a change (with what).
CREATE TABLE agreement_answers (
    space_id TEXT NOT NULL REFERENCES team_agreements (space_id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    answer TEXT NOT NULL CHECK (answer IN ('agree', 'change')),
    note TEXT NOT NULL,
    answered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (space_id, version, user_id)
);

CREATE TABLE agreement_comments (
    id TEXT PRIMARY KEY,
    space_id TEXT NOT NULL REFERENCES team_agreements (space_id) ON DELETE CASCADE,
    section TEXT NOT NULL,
    author_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX agreement_comments_space ON agreement_comments (space_id, created_at);

-- A statutory flexible-working request, under the rules in force on the day it was made (`rules`, their
-- effective date).
CREATE TABLE flexible_requests (
    id TEXT PRIMARY KEY,
    space_id TEXT NOT NULL REFERENCES team_spaces (id) ON DELETE CASCADE,
    person_id TEXT REFERENCES team_people (id) ON DELETE SET NULL,
    made_on TEXT NOT NULL,
    change TEXT NOT NULL,
    start_wanted TEXT NOT NULL,
    earlier TEXT NOT NULL,                 -- any earlier request in the last 12 months, as the person stated it
    rules TEXT NOT NULL,
    decision_due TEXT NOT NULL,
    extended_to TEXT,                      -- a later date both agreed
    extension_note TEXT NOT NULL,
    consulted_on TEXT,
    consultation_note TEXT NOT NULL,
    outcome TEXT CHECK (outcome IN ('granted', 'refused', 'withdrawn')),
    grounds TEXT NOT NULL,                 -- business grounds of a refusal, comma-separated keys
    explanation TEXT NOT NULL,
    decided_on TEXT,
    appeal_on TEXT,
    appeal_outcome TEXT CHECK (appeal_outcome IN ('upheld', 'overturned')),
    appeal_decided_on TEXT,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX flexible_requests_space ON flexible_requests (space_id, made_on);
CREATE INDEX flexible_requests_person ON flexible_requests (person_id, made_on);

-- A trial period of a working pattern, for one person (`person_id`) or the whole team (NULL).
CREATE TABLE team_trials (
    id TEXT PRIMARY KEY,
    space_id TEXT NOT NULL REFERENCES team_spaces (id) ON DELETE CASCADE,
    person_id TEXT REFERENCES team_people (id) ON DELETE SET NULL,
    for_team BOOLEAN NOT NULL,
    pattern TEXT NOT NULL,
    scenario_id TEXT REFERENCES team_spaces (id) ON DELETE SET NULL,
    criteria TEXT NOT NULL,                -- JSON: [{criterion, baseline, measure}]
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    length_reason TEXT NOT NULL,
    midpoint_on TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('proposed', 'scoped', 'active', 'midpoint', 'final_review', 'decided')),
    decision TEXT CHECK (decision IN ('confirm', 'adjust', 'extend', 'end')),
    reason TEXT NOT NULL,
    cause TEXT NOT NULL,
    request_id TEXT REFERENCES flexible_requests (id) ON DELETE SET NULL,
    shared_at TIMESTAMPTZ,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX team_trials_space ON team_trials (space_id, starts_on);

-- Each step a trial took, with who took it.
CREATE TABLE trial_steps (
    id TEXT PRIMARY KEY,
    trial_id TEXT NOT NULL REFERENCES team_trials (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    decision TEXT,
    reason TEXT NOT NULL,
    cause TEXT NOT NULL,
    by_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX trial_steps_trial ON trial_steps (trial_id, at);

-- Check-in notes: seen by the person on trial and the leads only.
CREATE TABLE trial_notes (
    id TEXT PRIMARY KEY,
    trial_id TEXT NOT NULL REFERENCES team_trials (id) ON DELETE CASCADE,
    author_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX trial_notes_trial ON trial_notes (trial_id, created_at);

-- Conversation guides and checklists, written by organisers (Markdown; a checklist's items one per line).
CREATE TABLE toolkit_guides (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('guide', 'checklist')),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    items TEXT NOT NULL,
    position BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- A lead's own notes on a guide for one team (and the checklist items they ticked): theirs alone.
CREATE TABLE guide_notes (
    space_id TEXT NOT NULL REFERENCES team_spaces (id) ON DELETE CASCADE,
    guide_id TEXT NOT NULL REFERENCES toolkit_guides (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    ticked TEXT NOT NULL,                  -- the items ticked, by number, comma-separated
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (space_id, guide_id, user_id)
);

-- The toolkit's reminders (an agreement's review, a trial's mid-point and end, a request's deadline): one row
-- per reminder, claimed in the transaction that queues its e-mail, so each goes once across restarts and
-- instances.
CREATE TABLE toolkit_reminders (
    subject_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    due_on TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (subject_id, kind, due_on)
);
