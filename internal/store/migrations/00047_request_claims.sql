-- +goose Up
-- Signed open-API requests already served, by their signature: a replay of a heartbeat within
-- the X-Sdk-Date window is answered without being recorded again. Rows older than the window
-- are purged.
CREATE TABLE request_claims (
    signature TEXT PRIMARY KEY,
    at        BIGINT NOT NULL
);
CREATE INDEX request_claims_at ON request_claims (at);

-- +goose Down
DROP TABLE request_claims;
