-- Newsletters: an issue with its introduction, its audience, and the blocks gathered for it; each recipient's
-- copy is one outbox row under a unique key, so no member can get the same issue twice.

CREATE TABLE newsletters (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    intro_md TEXT NOT NULL,
    intro_html TEXT NOT NULL,
    audience_group_id TEXT REFERENCES network_groups (id) ON DELETE SET NULL,  -- NULL: all members
    status TEXT NOT NULL CHECK (status IN ('draft', 'sent')),
    recipients BIGINT NOT NULL,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT
);

CREATE TABLE newsletter_blocks (
    id TEXT PRIMARY KEY,
    newsletter_id TEXT NOT NULL REFERENCES newsletters (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('news', 'meeting', 'question')),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    path TEXT NOT NULL,
    audience TEXT NOT NULL,              -- 'public', 'members', or 'group:<group id>': who may see the item
    position BIGINT NOT NULL,
    included BOOLEAN NOT NULL
);
CREATE INDEX newsletter_blocks_issue ON newsletter_blocks (newsletter_id, position);

ALTER TABLE outbox ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX outbox_dedupe ON outbox (dedupe_key);
