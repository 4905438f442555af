-- Meetings: closed and open, in four formats, virtual or hosted; registrations with a waitlist; calendars;
-- reminders sent once; materials and feedback afterwards. E-mails gain an optional calendar attachment.

CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('case_study', 'thought_leadership', 'research_summary', 'topic_exploration', 'networking')),
    summary_md TEXT NOT NULL,
    summary_html TEXT NOT NULL,
    agenda_md TEXT NOT NULL,
    agenda_html TEXT NOT NULL,
    disciplines TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('open', 'members', 'group')),
    group_id TEXT REFERENCES network_groups (id) ON DELETE SET NULL,
    mode TEXT NOT NULL CHECK (mode IN ('virtual', 'in_person', 'hybrid')),
    joining_link TEXT NOT NULL,          -- https only; shown to confirmed attendees alone
    venue TEXT NOT NULL,                 -- name and address of the venue, for in-person and hybrid meetings
    directions TEXT NOT NULL,
    accessibility TEXT NOT NULL,
    host_organisation_id TEXT REFERENCES organisations (id) ON DELETE SET NULL,
    chair TEXT NOT NULL,
    speakers_md TEXT NOT NULL,           -- speakers, members or outside speakers, with a short bio each
    speakers_html TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    registration_closes_at TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    chatham_house BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'cancelled')),
    sequence BIGINT NOT NULL,            -- iCalendar SEQUENCE: goes up with every change attendees must know of
    notes_md TEXT NOT NULL,
    notes_html TEXT NOT NULL,
    recording_link TEXT NOT NULL,
    slides_file_id TEXT REFERENCES files (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX meetings_starts ON meetings (status, starts_at);

CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,   -- NULL for a guest
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    organisation TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('unconfirmed', 'confirmed', 'waitlisted', 'cancelled')),
    queued_at TEXT NOT NULL,      -- arrival order, for the waitlist
    confirm_token_hash TEXT UNIQUE,
    cancel_token_hash TEXT NOT NULL UNIQUE,
    attended BOOLEAN,
    reminded_at TEXT,             -- the reminder goes once
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (meeting_id, email)
);
CREATE INDEX registrations_meeting ON registrations (meeting_id, status, queued_at);

CREATE TABLE meeting_feedback (
    registration_id TEXT PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
    score BIGINT NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- A member's private calendar feed: the secret is in the URL; a new one revokes the old.
CREATE TABLE calendar_feeds (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

ALTER TABLE outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE outbox ADD COLUMN attachment_type TEXT;
ALTER TABLE outbox ADD COLUMN attachment TEXT;

-- Slides and other materials are not public like logos: they are served only through a page that checks access.
ALTER TABLE files ADD COLUMN public BOOLEAN NOT NULL DEFAULT TRUE;
