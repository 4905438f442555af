-- A reader's likes and bookmarks know their post's topic (issue 22), so that the topic page reads which of its
-- posts the reader liked and keeps in one index range with the topic, instead of two lookups per post (100 on a
-- page of 50; 4.5% of the page's instructions). Posts never move between topics, so the copy holds.
-- No REFERENCES: the post's own cascade removes a like or bookmark with its post, and so with its topic.
-- The application names the topic; an instance still running the earlier version does not, so a trigger fills
-- an empty one from the post (the default '' stays for that).
-- Likes and bookmarks made meanwhile by an instance still running the earlier version wait for the trigger.
LOCK TABLE forum_likes, forum_bookmarks IN SHARE ROW EXCLUSIVE MODE;
ALTER TABLE forum_likes ADD COLUMN topic_id TEXT NOT NULL DEFAULT '';
UPDATE forum_likes l SET topic_id = p.topic_id FROM forum_posts p WHERE p.id = l.post_id;
CREATE INDEX forum_likes_reader ON forum_likes (user_id, topic_id);
DROP INDEX forum_likes_user;

ALTER TABLE forum_bookmarks ADD COLUMN topic_id TEXT NOT NULL DEFAULT '';
UPDATE forum_bookmarks b SET topic_id = p.topic_id FROM forum_posts p WHERE p.id = b.post_id;
CREATE INDEX forum_bookmarks_reader ON forum_bookmarks (user_id, topic_id);

CREATE FUNCTION forum_marks_topic() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.topic_id = '' THEN
        NEW.topic_id := (SELECT p.topic_id FROM forum_posts p WHERE p.id = NEW.post_id);
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER forum_likes_topic BEFORE INSERT ON forum_likes FOR EACH ROW EXECUTE FUNCTION forum_marks_topic();
CREATE TRIGGER forum_bookmarks_topic BEFORE INSERT ON forum_bookmarks FOR EACH ROW EXECUTE FUNCTION forum_marks_topic();
