-- Newsletter images and per-issue reports (issue 21). An image an organiser uploads into an issue's
-- introduction is kept resized and encoded afresh, as a public file (mail clients fetch it without signing
-- in), with its description. An unsubscribe that came through an issue's link is counted against the issue,
-- without the person. A copy the receiving server refused for good is marked as bounced, apart from copies
-- given up after retries.
CREATE TABLE newsletter_images (
    id TEXT PRIMARY KEY,
    newsletter_id TEXT NOT NULL REFERENCES newsletters (id) ON DELETE CASCADE,
    file_id TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    alt TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX newsletter_images_issue ON newsletter_images (newsletter_id);

CREATE TABLE newsletter_unsubscribes (
    id TEXT PRIMARY KEY,
    newsletter_id TEXT NOT NULL REFERENCES newsletters (id) ON DELETE CASCADE,
    unsubscribed_at TEXT NOT NULL
);
CREATE INDEX newsletter_unsubscribes_issue ON newsletter_unsubscribes (newsletter_id);

ALTER TABLE outbox ADD COLUMN bounced BOOLEAN NOT NULL DEFAULT FALSE;
