-- +goose Up
-- License codes: one per instance of a LICENSE spec, issued in the purchase's transaction. The
-- code's status is not stored: it follows its instance (ACTIVE → ALIVE, FROZEN → EXPIRED,
-- RELEASED → RELEASED). received_at is when the buyer confirmed receipt (activation needs it);
-- activated_at is set once, by the first activation. 0 means "not yet".
CREATE TABLE licenses (
    code         TEXT PRIMARY KEY,
    instance_key TEXT NOT NULL UNIQUE REFERENCES instances(line_id),
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    buyer_id     TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    received_at  BIGINT NOT NULL DEFAULT 0,
    activated_at BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
CREATE INDEX licenses_merchant ON licenses (merchant_id);

-- Heartbeats (and activations) as the merchant's software reported them. Rows are only ever
-- appended, in batches (group commit), so the table has no key of its own.
CREATE TABLE license_heartbeats (
    license_code        TEXT NOT NULL REFERENCES licenses(code),
    at                  BIGINT NOT NULL,
    kind                TEXT NOT NULL,
    third_party_account TEXT NOT NULL DEFAULT '',
    ip                  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX license_heartbeats_code ON license_heartbeats (license_code, at);

-- +goose Down
DROP TABLE license_heartbeats;
DROP TABLE licenses;
