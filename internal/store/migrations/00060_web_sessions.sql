-- +goose Up
-- The consoles' sessions (internal/web, through alexedwards/scs): the SHA-256 of the session
-- cookie's token, the encoded session (base64) and when it expires (Unix milliseconds, wall time).
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    expiry     BIGINT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expiry);

-- +goose Down
DROP TABLE web_sessions;
