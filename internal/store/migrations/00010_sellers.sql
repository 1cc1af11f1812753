-- +goose Up
-- Seller users (rules §0: at most 50 sub-users of a seller account), each with its own role,
-- bearer token (stored as a SHA-256 hash, like every token) and password (PBKDF2, salted).
CREATE TABLE seller_users (
    id            TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL REFERENCES merchants(id),
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    token_hash    TEXT NOT NULL UNIQUE,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    UNIQUE (merchant_id, name)
);

-- The in-site message centre of each merchant (rules §0): application results, sales status
-- changes, dial-test failures and freezes. read_at is 0 while unread.
CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    read_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notifications_merchant ON notifications (merchant_id, created_at);

-- +goose Down
DROP TABLE notifications;
DROP TABLE seller_users;
