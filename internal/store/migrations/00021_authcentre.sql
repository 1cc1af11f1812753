-- +goose Up
-- The joint-operation auth centre (protocol §8.8): sign-in sessions on its login page,
-- authorization codes (single use) and access and refresh tokens. Every secret is stored as its
-- SHA-256; a token's row says what it grants.
CREATE TABLE authc_sessions (
    hash       TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    user_name  TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE authc_codes (
    hash         TEXT PRIMARY KEY,
    app_id       TEXT NOT NULL,
    tenant_id    TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    session_hash TEXT NOT NULL,
    used         BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE authc_tokens (
    hash         TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    app_id       TEXT NOT NULL,
    tenant_id    TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    session_hash TEXT NOT NULL,
    code_hash    TEXT NOT NULL,
    revoked      BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX authc_tokens_code ON authc_tokens (code_hash);
CREATE INDEX authc_tokens_session ON authc_tokens (session_hash);

-- +goose Down
DROP TABLE authc_tokens;
DROP TABLE authc_codes;
DROP TABLE authc_sessions;
