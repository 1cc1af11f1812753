-- +goose Up
-- One-time sign-in links to the consoles (internal/web): `mercato demo --stay` prints one per
-- role. Only the SHA-256 of the link's code is kept; used_at is set by the one request that
-- follows it, so a link copied from a log after use signs nobody in. Times are Unix milliseconds,
-- wall time.
CREATE TABLE console_links (
    code_hash  TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- +goose Down
DROP TABLE console_links;
