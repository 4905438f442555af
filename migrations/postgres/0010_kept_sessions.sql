-- "Keep me signed in on this device": a kept session lasts longer without use than the short default one.
-- Sessions begun before this change were all long ones, so they stay kept.
ALTER TABLE sessions ADD COLUMN kept BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE sessions SET kept = TRUE;
