-- The Smart Working toolkit, part 1: team spaces and the where-and-when planner.
--
-- Team participants are accounts of their own role: they reach the spaces they were invited to and their own
-- account pages, never the members' area.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('organiser', 'moderator', 'member', 'applicant', 'participant'));

-- A team space: a member's team of their organisation, planned where and when. A scenario ("what if") is a copy
-- of a space's plan that points at the space it came from.
CREATE TABLE team_spaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    organisation_id TEXT REFERENCES organisations (id) ON DELETE SET NULL,
    working_days TEXT NOT NULL,           -- weekday keys, comma-separated: mon,tue,wed,thu,fri
    day_hours DOUBLE PRECISION NOT NULL,
    service_hours TEXT NOT NULL,          -- as typed (08:00-18:00), empty when the team has none
    scenario_of TEXT REFERENCES team_spaces (id) ON DELETE CASCADE,
    closed_at TIMESTAMPTZ,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX team_spaces_scenarios ON team_spaces (scenario_of);

-- A site of the team with the desks available to it on each weekday.
CREATE TABLE team_sites (
    id TEXT PRIMARY KEY,
    space_id TEXT NOT NULL REFERENCES team_spaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    desks TEXT NOT NULL,                  -- seven counts, Monday first: 12,12,12,12,12,0,0
    position BIGINT NOT NULL
);
CREATE INDEX team_sites_space ON team_sites (space_id, position);

-- Who is in a space: its leads and its participants.
CREATE TABLE team_members (
    space_id TEXT NOT NULL REFERENCES team_spaces (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('lead', 'participant')),
    joined_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (space_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

-- An invitation to a space by e-mail: a signed link, kept only as its hash.
CREATE TABLE team_invitations (
    id TEXT PRIMARY KEY,
    space_id TEXT NOT NULL REFERENCES team_spaces (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('lead', 'participant')),
    person_id TEXT,                       -- the row of the plan that describes the invitee's work, if any
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ
);
CREATE INDEX team_invitations_space ON team_invitations (space_id);

-- A person of the team, or a role standing for several people, with their working week.
CREATE TABLE team_people (
    id TEXT PRIMARY KEY,
    space_id TEXT NOT NULL REFERENCES team_spaces (id) ON DELETE CASCADE,
    user_id TEXT REFERENCES users (id) ON DELETE SET NULL,   -- the participant who describes their own work
    name TEXT NOT NULL,
    head_count BIGINT NOT NULL,
    working_days TEXT NOT NULL,
    hours_per_week DOUBLE PRECISION NOT NULL,
    site_id TEXT REFERENCES team_sites (id) ON DELETE SET NULL,
    constraints TEXT NOT NULL,            -- caring, adjustments: seen only by the person and the leads
    home_checked BOOLEAN NOT NULL,
    position BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX team_people_space ON team_people (space_id, position);

-- An activity of a person, with every field the planner reads (DOMAIN.md, "Where-and-when planner").
CREATE TABLE team_activities (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES team_people (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    hours DOUBLE PRECISION NOT NULL,
    cadence TEXT NOT NULL,
    place TEXT NOT NULL,
    place_reason TEXT NOT NULL,
    timing TEXT NOT NULL,
    time_window TEXT NOT NULL,
    collaboration TEXT NOT NULL,
    with_people TEXT NOT NULL,            -- ids of team_people, comma-separated
    face_to_face TEXT NOT NULL,
    focus TEXT NOT NULL,
    rota BOOLEAN NOT NULL,
    systems TEXT NOT NULL,
    systems_remote TEXT NOT NULL CHECK (systems_remote IN ('yes', 'no', 'unknown')),
    position BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX team_activities_person ON team_activities (person_id, position);
