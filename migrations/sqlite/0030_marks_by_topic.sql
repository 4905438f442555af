-- A reader's likes and bookmarks know their post's topic (issue 22), so that the topic page reads which of its
-- posts the reader liked and keeps in one index range with the topic, instead of two lookups per post (100 on a
-- page of 50; 4.5% of the page's instructions). Posts never move between topics, so the copy holds.
-- No REFERENCES: the post's own cascade removes a like or bookmark with its post, and so with its topic.
-- The application names the topic; an instance still running the earlier version does not, so a trigger fills
-- an empty one from the post (the default '' stays for that).
ALTER TABLE forum_likes ADD COLUMN topic_id TEXT NOT NULL DEFAULT '';
UPDATE forum_likes SET topic_id = (SELECT p.topic_id FROM forum_posts p WHERE p.id = forum_likes.post_id);
CREATE INDEX forum_likes_reader ON forum_likes (user_id, topic_id);
DROP INDEX forum_likes_user;

ALTER TABLE forum_bookmarks ADD COLUMN topic_id TEXT NOT NULL DEFAULT '';
UPDATE forum_bookmarks SET topic_id = (SELECT p.topic_id FROM forum_posts p WHERE p.id = forum_bookmarks.post_id);
CREATE INDEX forum_bookmarks_reader ON forum_bookmarks (user_id, topic_id);

CREATE TRIGGER forum_likes_topic AFTER INSERT ON forum_likes WHEN new.topic_id = '' BEGIN
    UPDATE forum_likes SET topic_id = (SELECT p.topic_id FROM forum_posts p WHERE p.id = new.post_id)
    WHERE post_id = new.post_id AND user_id = new.user_id;
END;
CREATE TRIGGER forum_bookmarks_topic AFTER INSERT ON forum_bookmarks WHEN new.topic_id = '' BEGIN
    UPDATE forum_bookmarks SET topic_id = (SELECT p.topic_id FROM forum_posts p WHERE p.id = new.post_id)
    WHERE user_id = new.user_id AND post_id = new.post_id;
END;
