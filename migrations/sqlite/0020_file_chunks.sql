-- Files in pieces (issue 20): a download is streamed a piece at a time instead of read whole into memory, and a
-- byte range reads only its pieces. Each file keeps its size (Content-Length, ranges); the bytes move into
-- pieces of 256 KiB.
CREATE TABLE file_chunks (
    file_id TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (file_id, seq)
);
ALTER TABLE files ADD COLUMN size BIGINT NOT NULL DEFAULT 0;
UPDATE files SET size = length(bytes);
WITH RECURSIVE pieces (file_id, seq) AS (
    SELECT id, 0 FROM files WHERE size > 0
    UNION ALL
    SELECT p.file_id, p.seq + 1 FROM pieces p JOIN files f ON f.id = p.file_id WHERE (p.seq + 1) * 262144 < f.size
)
INSERT INTO file_chunks (file_id, seq, bytes)
SELECT p.file_id, p.seq, substr(f.bytes, p.seq * 262144 + 1, 262144) FROM pieces p JOIN files f ON f.id = p.file_id;
ALTER TABLE files DROP COLUMN bytes;
