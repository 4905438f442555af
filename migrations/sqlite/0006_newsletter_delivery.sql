-- Newsletters grow up: several audiences (members, groups, regions, public subscribers), scheduling, a
-- queueing lease, and block kinds for the library. Delivery: outbox rows belong to a batch (one newsletter),
-- addresses that keep failing hard are suppressed, and a signing key makes links in e-mails need no stored row.

-- SQLite cannot change a CHECK in place: the two newsletter tables are rebuilt. The new child table points at
-- the new parent before the old ones go, so dropping the old parent cascades into nothing.
CREATE TABLE newsletters_v2 (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    intro_md TEXT NOT NULL,
    intro_html TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'sending', 'sent')),
    scheduled_at TEXT,                   -- when a scheduled issue goes
    recipients BIGINT NOT NULL,          -- copies queued
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,                        -- when sending began
    queued_at TEXT,                      -- when every copy was in the outbox
    lease_until TEXT                     -- an instance queueing the copies holds the issue until then
);
INSERT INTO newsletters_v2 (id, subject, intro_md, intro_html, status, recipients, created_by, created_at, sent_at, queued_at)
    SELECT id, subject, intro_md, intro_html, status, recipients, created_by, created_at, sent_at,
           CASE WHEN status = 'sent' THEN sent_at END
    FROM newsletters;

CREATE TABLE newsletter_blocks_v2 (
    id TEXT PRIMARY KEY,
    newsletter_id TEXT NOT NULL REFERENCES newsletters_v2 (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('news', 'meeting', 'question', 'article', 'resource', 'case_study')),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    path TEXT NOT NULL,
    audience TEXT NOT NULL,              -- 'public', 'members', or 'group:<group id>': who may see the item
    position BIGINT NOT NULL,
    included BOOLEAN NOT NULL
);
INSERT INTO newsletter_blocks_v2 SELECT id, newsletter_id, kind, title, summary, path, audience, position, included
    FROM newsletter_blocks;

-- Who an issue goes to: any mix of all members, groups, regions (of members' organisations) and subscribers.
CREATE TABLE newsletter_audiences (
    newsletter_id TEXT NOT NULL REFERENCES newsletters_v2 (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('members', 'group', 'region', 'subscribers')),
    value TEXT NOT NULL,                 -- the group's id or the region's name; '' for members and subscribers
    PRIMARY KEY (newsletter_id, kind, value)
);
INSERT INTO newsletter_audiences (newsletter_id, kind, value)
    SELECT id, CASE WHEN audience_group_id IS NULL THEN 'members' ELSE 'group' END, COALESCE(audience_group_id, '')
    FROM newsletters;

DROP TABLE newsletter_blocks;
DROP TABLE newsletters;
ALTER TABLE newsletters_v2 RENAME TO newsletters;
ALTER TABLE newsletter_blocks_v2 RENAME TO newsletter_blocks;
CREATE INDEX newsletter_blocks_issue ON newsletter_blocks (newsletter_id, position);
CREATE INDEX newsletters_due ON newsletters (status, scheduled_at);

-- Visitors who subscribed to the public edition, with a confirmed address (double opt-in).
CREATE TABLE subscribers (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,          -- stored lower-cased
    confirm_token_hash TEXT,
    confirm_sent_at TEXT,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    unsubscribed_at TEXT
);

-- Outbox rows of one bulk send (a newsletter) share a batch, so its progress is one indexed count.
ALTER TABLE outbox ADD COLUMN batch TEXT;
CREATE INDEX outbox_batch ON outbox (batch, status);
UPDATE outbox SET batch = 'newsletter:' || substr(dedupe_key, 12, instr(substr(dedupe_key, 12), ':') - 1)
    WHERE dedupe_key LIKE 'newsletter:%';

-- Addresses whose mail server refused for good: after repeated hard failures no bulk mail goes to them.
CREATE TABLE mail_suppressions (
    address TEXT PRIMARY KEY,            -- lower-cased
    hard_failures BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    suppressed_at TEXT
);

-- Keys the application keeps for itself (the signing key of links in e-mails), shared by every instance.
CREATE TABLE app_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL
);
