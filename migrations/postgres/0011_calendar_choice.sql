-- A member's private calendar feed holds the meetings they registered for (CONFIRMED) and those they are
-- waitlisted for (TENTATIVE); the meetings they may attend but have not registered for are there too, as
-- TENTATIVE, unless the member chose to leave them out.
ALTER TABLE calendar_feeds ADD COLUMN only_registered BOOLEAN NOT NULL DEFAULT FALSE;
