-- Personal API tokens: a member creates one in their settings for a script or an app of their own, and may
-- revoke it at any time. Like sessions, only the token's SHA-256 is kept, so a copy of the table opens nothing.

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
