-- Membership: organisations and their domains, applications with their eligibility results and history,
-- members' organisation and term, and session rotation when a role changes.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sector TEXT NOT NULL,
    employees BIGINT NOT NULL,
    region TEXT NOT NULL,
    stage TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE organisation_domains (
    domain TEXT PRIMARY KEY,             -- lower-case, without www.
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE INDEX organisation_domains_org ON organisation_domains (organisation_id);

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- 'join', or 'employer_change': a member moving to a new organisation re-verifies and re-passes the rules.
    kind TEXT NOT NULL CHECK (kind IN ('join', 'employer_change')),
    status TEXT NOT NULL CHECK (status IN ('unverified', 'pending', 'info_requested', 'approved', 'rejected')),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    job_title TEXT NOT NULL,
    employment TEXT NOT NULL,
    programme_role TEXT NOT NULL,
    disciplines TEXT NOT NULL,           -- comma-separated: people, workplace, technology, change
    organisation_name TEXT NOT NULL,
    organisation_domain TEXT NOT NULL,
    sector TEXT NOT NULL,
    employees BIGINT,
    region TEXT NOT NULL,
    stage TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('pass', 'review', 'fail')),
    rule_results TEXT NOT NULL,          -- JSON: [{rule, verdict, reason}]
    organisation_id TEXT REFERENCES organisations (id) ON DELETE SET NULL,
    verify_token_hash TEXT UNIQUE,
    verify_expires_at TEXT,
    email_verified_at TEXT,
    decided_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    decided_at TEXT,
    decision_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX applications_status ON applications (status, created_at);
CREATE INDEX applications_user ON applications (user_id);

CREATE TABLE application_events (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    actor_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,                  -- submitted, verified, approved, rejected, info_requested, answered
    message TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX application_events_app ON application_events (application_id, created_at);

ALTER TABLE users ADD COLUMN organisation_id TEXT REFERENCES organisations (id) ON DELETE SET NULL;
ALTER TABLE users ADD COLUMN job_title TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN member_since TEXT;
ALTER TABLE users ADD COLUMN membership_ends_at TEXT;
-- Set when a person deletes their account: their personal data is erased, the row stays so that what they
-- wrote can show "former member".
ALTER TABLE users ADD COLUMN deleted_at TEXT;

-- A session flagged here gets a new id on its next request (after a change of role).
ALTER TABLE sessions ADD COLUMN rotate BOOLEAN NOT NULL DEFAULT FALSE;

-- One row per renewal reminder sent: at most one of each kind per member and term, even with several instances.
CREATE TABLE renewal_reminders (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    term_ends_at TEXT NOT NULL,
    days_before BIGINT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,     -- the one-click renewal link in the e-mail
    sent_at TEXT NOT NULL,
    PRIMARY KEY (user_id, term_ends_at, days_before)
);

-- Regional and sector groups inside the network. ("groups" is a keyword in both engines' window syntax.)
CREATE TABLE network_groups (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('regional', 'sector')),
    join_policy TEXT NOT NULL CHECK (join_policy IN ('open', 'request')),
    description_md TEXT NOT NULL,
    description_html TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES network_groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('member', 'coordinator')),
    status TEXT NOT NULL CHECK (status IN ('active', 'requested')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

-- What a member tells other members about themselves, and which of it they show.
CREATE TABLE profiles (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    bio_md TEXT NOT NULL,
    bio_html TEXT NOT NULL,
    disciplines TEXT NOT NULL,           -- comma-separated: people, workplace, technology, change
    interests TEXT NOT NULL,
    photo_file_id TEXT REFERENCES files (id) ON DELETE SET NULL,
    show_email BOOLEAN NOT NULL,
    show_job_title BOOLEAN NOT NULL,
    show_organisation BOOLEAN NOT NULL,
    show_bio BOOLEAN NOT NULL,
    updated_at TEXT NOT NULL
);

-- Consent to each category of e-mail, as a history: the latest row of a category is the person's choice.
CREATE TABLE email_consents (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category TEXT NOT NULL CHECK (category IN ('newsletter', 'meeting_reminders', 'forum_notifications', 'forum_digest')),
    granted BOOLEAN NOT NULL,
    source TEXT NOT NULL,                -- where the choice was made: application, preferences, unsubscribe link
    recorded_at TEXT NOT NULL
);
CREATE INDEX email_consents_user ON email_consents (user_id, category, recorded_at);
