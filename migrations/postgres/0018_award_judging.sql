-- The awards' judging (issue 19): outside judges' accounts, invitations, assignments, conflicts of interest,
-- reviews with scores, the discussion, eligibility checks and the results.
--
-- An outside judge has an account of its own role, reaching only the awards' judging pages.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('organiser', 'moderator', 'member', 'applicant', 'participant', 'judge'));

-- An entry through a public form belongs to no organisation of the network.
ALTER TABLE award_entries ALTER COLUMN organisation_id DROP NOT NULL;

-- How many judges each entry should have (organisers assign to reach it), and the category's eligibility
-- checklist (one item a line) that organisers tick for each entry.
ALTER TABLE award_categories ADD COLUMN judges_per_entry BIGINT NOT NULL DEFAULT 3;
ALTER TABLE award_categories ADD COLUMN checklist TEXT NOT NULL DEFAULT '';

-- Organisers invite judges by e-mail to a category: a signed (hashed random), expiring, single-use link.
CREATE TABLE award_judge_invitations (
    id TEXT PRIMARY KEY,
    category_id TEXT NOT NULL REFERENCES award_categories (id) ON DELETE CASCADE,
    entry_id TEXT REFERENCES award_entries (id) ON DELETE CASCADE,   -- to judge one entry only
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ
);

-- Who judges what: a whole category (entry_id NULL) or one entry of it.
CREATE TABLE award_judges (
    id TEXT PRIMARY KEY,
    category_id TEXT NOT NULL REFERENCES award_categories (id) ON DELETE CASCADE,
    entry_id TEXT REFERENCES award_entries (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX award_judges_once ON award_judges (category_id, user_id, COALESCE(entry_id, ''));
CREATE INDEX award_judges_user ON award_judges (user_id);

-- Conflicts of interest as people decided them. The network's own data proposes others (computed when read);
-- a judge declares one (and may take it back), an organiser pins one (the judge cannot remove it) or
-- dismisses a proposal that is wrong. For a judge or an organiser alike: a conflict in force locks them out.
CREATE TABLE award_conflicts (
    entry_id TEXT NOT NULL REFERENCES award_entries (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('declared', 'pinned', 'dismissed')),
    kind TEXT NOT NULL CHECK (kind IN ('employer', 'former_employer', 'collaborator', 'personal', 'other')),
    note TEXT NOT NULL DEFAULT '',
    decided_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (entry_id, user_id)
);

-- A judge's review of an entry: scores per criterion with a comment, or an abstention with its reason.
CREATE TABLE award_reviews (
    entry_id TEXT NOT NULL REFERENCES award_entries (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    abstained BOOLEAN NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    submitted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (entry_id, user_id)
);

CREATE TABLE award_scores (
    entry_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    criterion_id TEXT NOT NULL REFERENCES award_criteria (id) ON DELETE CASCADE,
    score BIGINT NOT NULL,
    PRIMARY KEY (entry_id, user_id, criterion_id),
    FOREIGN KEY (entry_id, user_id) REFERENCES award_reviews (entry_id, user_id) ON DELETE CASCADE
);

-- The discussion of an entry, among its non-conflicted judges and organisers.
CREATE TABLE award_discussion (
    id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES award_entries (id) ON DELETE CASCADE,
    user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX award_discussion_entry ON award_discussion (entry_id, created_at);

-- What organisers decided of an entry: the shortlist, then a winner or highly commended with its citation,
-- linked to a case study or a meeting. Public only once the programme's shortlist or winners are published.
CREATE TABLE award_results (
    entry_id TEXT PRIMARY KEY REFERENCES award_entries (id) ON DELETE CASCADE,
    shortlisted BOOLEAN NOT NULL DEFAULT FALSE,
    award TEXT CHECK (award IN ('winner', 'highly_commended')),
    citation TEXT NOT NULL DEFAULT '',
    case_study_id TEXT REFERENCES case_studies (id) ON DELETE SET NULL,
    meeting_id TEXT REFERENCES meetings (id) ON DELETE SET NULL,
    decided_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- The eligibility checklist as ticked for an entry, by the item's text (an item reworded is ticked again).
CREATE TABLE award_eligibility (
    entry_id TEXT NOT NULL REFERENCES award_entries (id) ON DELETE CASCADE,
    item TEXT NOT NULL,
    checked_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    checked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (entry_id, item)
);

-- Entries through a category's public form (open to anyone) belong to no organisation of the network: the
-- entrant, their address and organisation are kept beside the entry, and it is submitted once the address is
-- confirmed.
CREATE TABLE award_public_entrants (
    entry_id TEXT PRIMARY KEY REFERENCES award_entries (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    organisation TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,             -- the link works until entries close, as they are then
    confirmed_at TIMESTAMPTZ
);

-- Supporting files of an entry (typed from their bytes, kept in `files`, served only to those who reach the
-- entry).
CREATE TABLE award_files (
    entry_id TEXT NOT NULL REFERENCES award_entries (id) ON DELETE CASCADE,
    file_id TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    file_type TEXT NOT NULL,
    file_size BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (entry_id, file_id)
);

-- Evidence the network already holds, attached to an entry: a benchmark assessment's progress, a finished
-- trial or a plan from the toolkit, a case study. What judges read is kept as it was when attached (the
-- entrant chose to show it; the record itself stays where it is, under its own rules).
CREATE TABLE award_evidence (
    entry_id TEXT NOT NULL REFERENCES award_entries (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('benchmark', 'trial', 'plan', 'case_study')),
    ref_id TEXT NOT NULL,
    label TEXT NOT NULL,
    detail TEXT NOT NULL,
    public_link TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (entry_id, kind, ref_id)
);
