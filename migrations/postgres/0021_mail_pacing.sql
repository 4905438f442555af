-- One pace for the whole network's mail (issue 20): with SWN_NETWORK_MAIL_RATE every instance takes each
-- e-mail's turn from this row, so the mail server sees the rate however many instances send. The next free
-- moment, in microseconds since 1970.
CREATE TABLE mail_pacing (
    id BIGINT PRIMARY KEY,
    next_us BIGINT NOT NULL
);
INSERT INTO mail_pacing (id, next_us) VALUES (1, 0);
