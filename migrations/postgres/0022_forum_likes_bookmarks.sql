-- Likes and bookmarks (issue 21). A like is one member's thanks for a post, counted once per member; a bookmark
-- keeps a post (or a topic, by its opening post) on the member's own list. A like notification names its post,
-- so further likes update the one unread notification ("3 people liked your reply") instead of adding more.
CREATE TABLE forum_likes (
    post_id TEXT NOT NULL REFERENCES forum_posts (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX forum_likes_user ON forum_likes (user_id);

CREATE TABLE forum_bookmarks (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post_id TEXT NOT NULL REFERENCES forum_posts (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, post_id)
);

ALTER TABLE notifications ADD COLUMN post_id TEXT REFERENCES forum_posts (id) ON DELETE CASCADE;
CREATE INDEX notifications_post ON notifications (post_id) WHERE post_id IS NOT NULL;
-- At most one unread like notification per author and post, even when two members like it at once.
CREATE UNIQUE INDEX notifications_unread_like ON notifications (user_id, post_id) WHERE kind = 'like' AND read_at IS NULL;
