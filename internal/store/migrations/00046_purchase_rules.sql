-- +goose Up
-- Purchase rules (rules §9.4): limits per spec, trial restrictions with their whitelist.
CREATE TABLE purchase_limits (
    sku_code     TEXT PRIMARY KEY,
    per_user     INTEGER NOT NULL DEFAULT 0,
    until_expiry BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at   BIGINT NOT NULL
);
-- A restricted product's trials (all its specs with sku_code '', or the ones listed) are for the
-- whitelisted buyers only.
CREATE TABLE trial_restrictions (
    product_id TEXT NOT NULL,
    sku_code   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (product_id, sku_code)
);
CREATE TABLE trial_whitelist (
    product_id TEXT NOT NULL,
    buyer_id   TEXT NOT NULL,
    PRIMARY KEY (product_id, buyer_id)
);

-- Customer levels set the grace and retention periods (rules §8.4).
CREATE TABLE customer_levels (
    buyer_id   TEXT PRIMARY KEY,
    level      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Pay-per-use instances in arrears: each from its own bill (rules §8.4), usable until freeze_at
-- (the grace period), then frozen.
CREATE TABLE arrears (
    instance_key TEXT PRIMARY KEY,
    buyer_id     TEXT NOT NULL,
    since        BIGINT NOT NULL,
    freeze_at    BIGINT NOT NULL
);
CREATE INDEX arrears_buyer ON arrears (buyer_id);

-- +goose Down
DROP TABLE arrears;
DROP TABLE customer_levels;
DROP TABLE trial_whitelist;
DROP TABLE trial_restrictions;
DROP TABLE purchase_limits;
