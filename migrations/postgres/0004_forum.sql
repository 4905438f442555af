-- The members' forum: categories (some private to a group), topics and posts with their edit history, accepted
-- answers, unread state, watching, notifications, flags and the moderation log, and full-text search.

CREATE TABLE forum_categories (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    group_id TEXT REFERENCES network_groups (id) ON DELETE CASCADE,  -- set: private to that group
    position BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE forum_topics (
    id TEXT PRIMARY KEY,
    category_id TEXT NOT NULL REFERENCES forum_categories (id) ON DELETE CASCADE,
    author_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    anonymous_label TEXT,                -- set: others see "a practitioner at a <sector> organisation"
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('question', 'discussion')),
    accepted_post_id TEXT,
    locked BOOLEAN NOT NULL,
    pinned BOOLEAN NOT NULL,
    hidden BOOLEAN NOT NULL,
    reply_count BIGINT NOT NULL,
    last_activity_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX forum_topics_category ON forum_topics (category_id, pinned, last_activity_at);

CREATE TABLE forum_posts (
    id TEXT PRIMARY KEY,
    topic_id TEXT NOT NULL REFERENCES forum_topics (id) ON DELETE CASCADE,
    author_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    opening BOOLEAN NOT NULL,            -- the topic's first post
    hidden BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    edited_at TIMESTAMPTZ
);
CREATE INDEX forum_posts_topic ON forum_posts (topic_id, created_at);

CREATE TABLE forum_revisions (
    id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES forum_posts (id) ON DELETE CASCADE,
    body_md TEXT NOT NULL,               -- the text before the edit
    edited_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE forum_reads (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic_id TEXT NOT NULL REFERENCES forum_topics (id) ON DELETE CASCADE,
    last_read_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, topic_id)
);

CREATE TABLE forum_watches (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_id TEXT NOT NULL,             -- a topic's or a category's id
    target_kind TEXT NOT NULL CHECK (target_kind IN ('topic', 'category')),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, target_id)
);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,                  -- reply, mention, answer
    topic_id TEXT REFERENCES forum_topics (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    read_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, created_at);

CREATE TABLE forum_flags (
    id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES forum_posts (id) ON DELETE CASCADE,
    flagged_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    reason TEXT NOT NULL,
    resolved_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE moderation_log (
    id TEXT PRIMARY KEY,
    moderator_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,                -- what was acted on, in words
    reason TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

ALTER TABLE users ADD COLUMN posting_suspended BOOLEAN NOT NULL DEFAULT FALSE;

-- Full-text search, kept in step by every write of a post.
ALTER TABLE forum_posts ADD COLUMN search tsvector;
CREATE INDEX forum_posts_search ON forum_posts USING GIN (search);

-- One-click unsubscribe links in e-mails: each stands for one person and one category of e-mail.
CREATE TABLE unsubscribe_links (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- When each member last got their daily digest of forum notifications.
CREATE TABLE forum_digests (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    last_sent_at TIMESTAMPTZ NOT NULL
);

-- Bulk e-mails carry a one-click unsubscribe address (RFC 8058).
ALTER TABLE outbox ADD COLUMN list_unsubscribe TEXT;
