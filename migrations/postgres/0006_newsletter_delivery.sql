-- Newsletters grow up: several audiences (members, groups, regions, public subscribers), scheduling, a
-- queueing lease, and block kinds for the library. Delivery: outbox rows belong to a batch (one newsletter),
-- addresses that keep failing hard are suppressed, and a signing key makes links in e-mails need no stored row.

ALTER TABLE newsletters DROP CONSTRAINT newsletters_status_check;
ALTER TABLE newsletters ADD CONSTRAINT newsletters_status_check CHECK (status IN ('draft', 'scheduled', 'sending', 'sent'));
ALTER TABLE newsletters ADD COLUMN scheduled_at TIMESTAMPTZ;
ALTER TABLE newsletters ADD COLUMN queued_at TIMESTAMPTZ;
ALTER TABLE newsletters ADD COLUMN lease_until TIMESTAMPTZ;
UPDATE newsletters SET queued_at = sent_at WHERE status = 'sent';

ALTER TABLE newsletter_blocks DROP CONSTRAINT newsletter_blocks_kind_check;
ALTER TABLE newsletter_blocks ADD CONSTRAINT newsletter_blocks_kind_check
    CHECK (kind IN ('news', 'meeting', 'question', 'article', 'resource', 'case_study'));

-- Who an issue goes to: any mix of all members, groups, regions (of members' organisations) and subscribers.
CREATE TABLE newsletter_audiences (
    newsletter_id TEXT NOT NULL REFERENCES newsletters (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('members', 'group', 'region', 'subscribers')),
    value TEXT NOT NULL,                 -- the group's id or the region's name; '' for members and subscribers
    PRIMARY KEY (newsletter_id, kind, value)
);
INSERT INTO newsletter_audiences (newsletter_id, kind, value)
    SELECT id, CASE WHEN audience_group_id IS NULL THEN 'members' ELSE 'group' END, COALESCE(audience_group_id, '')
    FROM newsletters;
ALTER TABLE newsletters DROP COLUMN audience_group_id;
CREATE INDEX newsletters_due ON newsletters (status, scheduled_at);

-- Visitors who subscribed to the public edition, with a confirmed address (double opt-in).
CREATE TABLE subscribers (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,          -- stored lower-cased
    confirm_token_hash TEXT,
    confirm_sent_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    confirmed_at TIMESTAMPTZ,
    unsubscribed_at TIMESTAMPTZ
);

-- Outbox rows of one bulk send (a newsletter) share a batch, so its progress is one indexed count.
ALTER TABLE outbox ADD COLUMN batch TEXT;
CREATE INDEX outbox_batch ON outbox (batch, status);
UPDATE outbox SET batch = 'newsletter:' || split_part(dedupe_key, ':', 2) WHERE dedupe_key LIKE 'newsletter:%';

-- Addresses whose mail server refused for good: after repeated hard failures no bulk mail goes to them.
CREATE TABLE mail_suppressions (
    address TEXT PRIMARY KEY,            -- lower-cased
    hard_failures BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    suppressed_at TIMESTAMPTZ
);

-- Keys the application keeps for itself (the signing key of links in e-mails), shared by every instance.
CREATE TABLE app_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
