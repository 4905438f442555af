-- Personal e-mail before bulk (issue 20): each queued e-mail has a priority, 0 for transactional mail (resets,
-- confirmations, promotions, decisions), 1 for mail a person chose (reminders, notifications, digests), 2 for a
-- bulk send's copies; workers take the lowest first, then the oldest.
ALTER TABLE outbox ADD COLUMN priority BIGINT NOT NULL DEFAULT 1;
UPDATE outbox SET priority = 2 WHERE batch IS NOT NULL;
CREATE INDEX outbox_next ON outbox (status, priority, next_attempt_at);
