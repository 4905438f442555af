-- Members' faces (issue 21): a photo a member uploads is kept only as the fixed sizes made from it, each encoded
-- afresh (nothing of the original's metadata survives), as private files that only members may fetch. A member
-- without one is shown generated initials. Photos kept before this (profiles.photo_file_id) are made into faces
-- when the program starts.
CREATE TABLE faces (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    size TEXT NOT NULL CHECK (size IN ('small', 'large')),
    file_id TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, size)
);
