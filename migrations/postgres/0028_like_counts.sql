-- Each post's likes counted on the post (issue 22): the topic page read them by counting, post by post, on every
-- request. A trigger keeps the count, so every way a like comes or goes (a member's click, an erasure, a deleted
-- account's cascade) moves it.
ALTER TABLE forum_posts ADD COLUMN like_count BIGINT NOT NULL DEFAULT 0;
-- An instance still running the earlier version may like or unlike meanwhile: held off until the trigger is in.
LOCK TABLE forum_likes IN SHARE ROW EXCLUSIVE MODE;
UPDATE forum_posts SET like_count = (SELECT COUNT(*) FROM forum_likes l WHERE l.post_id = forum_posts.id);

CREATE FUNCTION forum_likes_count() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE forum_posts SET like_count = like_count + 1 WHERE id = NEW.post_id;
    ELSE
        UPDATE forum_posts SET like_count = like_count - 1 WHERE id = OLD.post_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER forum_likes_count AFTER INSERT OR DELETE ON forum_likes
    FOR EACH ROW EXECUTE FUNCTION forum_likes_count();
