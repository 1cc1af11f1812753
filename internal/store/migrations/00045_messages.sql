-- +goose Up
-- Buyers' in-site messages (reminders, results). dedupe makes each reminder once per period.
CREATE TABLE buyer_messages (
    id          TEXT PRIMARY KEY,
    buyer_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    dedupe      TEXT NOT NULL UNIQUE,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    read_at     BIGINT NOT NULL DEFAULT 0,
    emailed_at  BIGINT NOT NULL DEFAULT 0,
    email_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX buyer_messages_buyer ON buyer_messages (buyer_id, created_at);

-- Expiry policies (rules §9.3): auto-renewal or do-not-renew per instance.
CREATE TABLE expiry_policies (
    instance_key  TEXT PRIMARY KEY,
    buyer_id      TEXT NOT NULL,
    policy        TEXT NOT NULL,
    period        TEXT NOT NULL DEFAULT '',
    period_number INTEGER NOT NULL DEFAULT 0,
    renewals_left INTEGER NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE expiry_policies;
DROP TABLE buyer_messages;
