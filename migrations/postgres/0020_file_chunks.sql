-- Files in pieces (issue 20): a download is streamed a piece at a time instead of read whole into memory, and a
-- byte range reads only its pieces. Each file keeps its size (Content-Length, ranges); the bytes move into
-- pieces of 256 KiB.
CREATE TABLE file_chunks (
    file_id TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (file_id, seq)
);
ALTER TABLE file_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
ALTER TABLE files ADD COLUMN size BIGINT NOT NULL DEFAULT 0;
UPDATE files SET size = length(bytes);
INSERT INTO file_chunks (file_id, seq, bytes)
SELECT f.id, s.seq, substring(f.bytes FROM CAST(s.seq * 262144 + 1 AS INTEGER) FOR 262144)
FROM files f CROSS JOIN LATERAL generate_series(0, (f.size - 1) / 262144) AS s (seq)
WHERE f.size > 0;
ALTER TABLE files DROP COLUMN bytes;
