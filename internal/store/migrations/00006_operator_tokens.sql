-- +goose Up
-- Operator bearer tokens, stored as SHA-256 hashes: a generated token survives restarts, and a
-- rotation replaces it.
CREATE TABLE operator_tokens (
    hash       TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE operator_tokens;
