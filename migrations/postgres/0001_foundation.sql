-- Accounts, sessions, one-time links, sign-in throttling, the mail outbox, stored files and the public site.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,          -- stored lower-cased
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('organiser', 'moderator', 'member', 'applicant')),
    suspended BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT,                  -- NULL until the person sets one through a one-time link
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,            -- SHA-256 of the cookie value: a copy of the table opens no session
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE one_time_tokens (
    token_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('setup', 'set_password')),
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);

CREATE TABLE sign_in_failures (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,                 -- 'address:<ip>' or 'account:<email>@<ip>'
    failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_failures_scope ON sign_in_failures (scope, failed_at);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_until TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE files (
    id TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE pages (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    published BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE news (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    published BOOLEAN NOT NULL,
    publish_at TIMESTAMPTZ NOT NULL,     -- shown to visitors from this time on, when published
    author_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX news_public ON news (published, publish_at);

CREATE TABLE supporters (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description_md TEXT NOT NULL,
    description_html TEXT NOT NULL,
    website TEXT NOT NULL,
    logo_file_id TEXT REFERENCES files (id) ON DELETE SET NULL,
    position BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role_title TEXT NOT NULL,
    bio_md TEXT NOT NULL,
    bio_html TEXT NOT NULL,
    photo_file_id TEXT REFERENCES files (id) ON DELETE SET NULL,
    position BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
