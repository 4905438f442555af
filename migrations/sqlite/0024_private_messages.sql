-- Private messages between members (issue 21). A conversation has a subject and two or more people; each
-- person's row keeps what they have read and whether they left. A message whose author is erased stays for the
-- others under "Former member" (author_id NULL). A block is one member's alone and is never shown to the person
-- blocked: their later messages simply do not reach the one who blocked them. An open report opens the
-- conversation to moderators, and only while it waits.
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    started_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    last_message_at TEXT NOT NULL
);
CREATE INDEX conversations_started_by ON conversations (started_by, created_at);

CREATE TABLE conversation_people (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at TEXT NOT NULL,
    read_at TEXT,
    left_at TEXT,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_people_user ON conversation_people (user_id);

CREATE TABLE private_messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    removed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);
CREATE INDEX private_messages_conversation ON private_messages (conversation_id, created_at);
CREATE INDEX private_messages_author ON private_messages (author_id);

CREATE TABLE member_blocks (
    blocker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);

CREATE TABLE message_reports (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES private_messages (id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    reported_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT
);
CREATE INDEX message_reports_open ON message_reports (resolved_at, created_at);

-- When each person's daily e-mail of private messages last went.
CREATE TABLE message_digests (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    last_sent_at TEXT NOT NULL
);

-- The two e-mail choices private messages add (each time, daily); SQLite changes a CHECK by rebuilding the table.
CREATE TABLE email_consents_new (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category TEXT NOT NULL CHECK (category IN ('newsletter', 'meeting_reminders', 'forum_notifications', 'forum_digest',
                                               'private_messages', 'private_messages_daily')),
    granted BOOLEAN NOT NULL,
    source TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
INSERT INTO email_consents_new (id, user_id, category, granted, source, recorded_at)
    SELECT id, user_id, category, granted, source, recorded_at FROM email_consents;
DROP TABLE email_consents;
ALTER TABLE email_consents_new RENAME TO email_consents;
CREATE INDEX email_consents_user ON email_consents (user_id, category, recorded_at);
