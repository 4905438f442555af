-- A topic's posts in the order a page shows them, `(created_at, id)` (issue 22): the index held only
-- `created_at`, so every page of posts was sorted again in a temporary B-tree, whole rows and their HTML with
-- them (SQLite: 134 µs against 91 µs for the topic page's posts read in index order, on the bench data).
-- Built before the old one is dropped: the drop locks the table out until the commit, the build does not.
CREATE INDEX forum_posts_page_order ON forum_posts (topic_id, created_at, id);
DROP INDEX forum_posts_topic;
