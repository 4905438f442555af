-- Each post's likes counted on the post (issue 22): the topic page read them by counting, post by post, on every
-- request. Triggers keep the count, so every way a like comes or goes (a member's click, an erasure, a deleted
-- account's cascade) moves it. A later migration that rebuilds forum_posts or forum_likes (create, copy, drop,
-- rename) must create these triggers again: they go with the table they are on.
ALTER TABLE forum_posts ADD COLUMN like_count INTEGER NOT NULL DEFAULT 0;
UPDATE forum_posts SET like_count = (SELECT COUNT(*) FROM forum_likes l WHERE l.post_id = forum_posts.id);

CREATE TRIGGER forum_likes_count_insert AFTER INSERT ON forum_likes BEGIN
    UPDATE forum_posts SET like_count = like_count + 1 WHERE id = new.post_id;
END;
CREATE TRIGGER forum_likes_count_delete AFTER DELETE ON forum_likes BEGIN
    UPDATE forum_posts SET like_count = like_count - 1 WHERE id = old.post_id;
END;
