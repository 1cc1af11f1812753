-- +goose Up
-- Pricing of pay-per-use plans: FIXED (one unit price), STEP (the cycle's whole quantity at the
-- price of the tier it reaches) or TIER (each part at its own tier's price); tiers as JSON.
-- cycle says when usage is collected: HOURLY (minute 15 of the next hour) or DAILY (01:00).
-- A package plan (ON_DEMAND_PKG) holds package_quota of the billing item package_item.
ALTER TABLE plans ADD COLUMN pricing TEXT NOT NULL DEFAULT 'FIXED';
ALTER TABLE plans ADD COLUMN tiers TEXT NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN cycle TEXT NOT NULL DEFAULT 'HOURLY';
ALTER TABLE plans ADD COLUMN package_item TEXT NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN package_quota BIGINT NOT NULL DEFAULT 0;

-- Usage records as pushed. A record belongs to the collection (cycle_at) that follows both its
-- end and its arrival; late marks one that missed its own cycle's collection.
CREATE TABLE usage_records (
    merchant_id  TEXT NOT NULL,
    metering_sn  TEXT NOT NULL,
    instance_key TEXT NOT NULL,
    product_id   TEXT NOT NULL,
    pkg_key      TEXT NOT NULL DEFAULT '',
    begin_at     BIGINT NOT NULL,
    end_at       BIGINT NOT NULL,
    record_at    BIGINT NOT NULL,
    quantity     BIGINT NOT NULL,
    received_at  BIGINT NOT NULL,
    cycle_at     BIGINT NOT NULL,
    late         BOOLEAN NOT NULL,
    PRIMARY KEY (merchant_id, metering_sn),
    UNIQUE (instance_key, begin_at, end_at)
);

-- Running sums kept in the transaction that stores the records: per collection (for rating)...
CREATE TABLE usage_totals (
    cycle_at     BIGINT NOT NULL,
    instance_key TEXT NOT NULL,
    pkg_key      TEXT NOT NULL,
    buyer_id     TEXT NOT NULL,
    quantity     BIGINT NOT NULL,
    late         BIGINT NOT NULL,
    records      BIGINT NOT NULL,
    PRIMARY KEY (cycle_at, instance_key, pkg_key)
);

-- ...and per hour of use (for people reading their usage).
CREATE TABLE usage_hours (
    instance_key TEXT NOT NULL,
    hour_at      BIGINT NOT NULL,
    quantity     BIGINT NOT NULL,
    records      BIGINT NOT NULL,
    PRIMARY KEY (instance_key, hour_at)
);

-- What is left of each package instance.
CREATE TABLE packages (
    instance_key TEXT PRIMARY KEY,
    item         TEXT NOT NULL,
    quota        BIGINT NOT NULL,
    used         BIGINT NOT NULL DEFAULT 0
);

-- Collections that ran: a collection rates its cycle once.
CREATE TABLE collections (
    cycle_at  BIGINT PRIMARY KEY,
    rated_at  BIGINT NOT NULL,
    records   BIGINT NOT NULL,
    amount    BIGINT NOT NULL
);

CREATE TABLE accounts (
    buyer_id   TEXT PRIMARY KEY,
    balance    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Every change of a balance, once: a bill is deducted once, a top-up applied once.
CREATE TABLE account_entries (
    buyer_id TEXT NOT NULL,
    ref      TEXT NOT NULL,
    kind     TEXT NOT NULL,
    amount   BIGINT NOT NULL,
    balance  BIGINT NOT NULL,
    at       BIGINT NOT NULL,
    PRIMARY KEY (buyer_id, ref)
);

CREATE TABLE bills (
    id         TEXT PRIMARY KEY,
    buyer_id   TEXT NOT NULL,
    cycle_at   BIGINT NOT NULL,
    cycle_from BIGINT NOT NULL,
    cycle_to   BIGINT NOT NULL,
    amount     BIGINT NOT NULL,
    currency   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (buyer_id, cycle_at)
);

CREATE TABLE bill_lines (
    bill_id      TEXT NOT NULL,
    instance_key TEXT NOT NULL,
    merchant_id  TEXT NOT NULL,
    product_id   TEXT NOT NULL,
    quantity     BIGINT NOT NULL,
    from_package BIGINT NOT NULL,
    late         BIGINT NOT NULL,
    amount       BIGINT NOT NULL,
    PRIMARY KEY (bill_id, instance_key)
);
CREATE INDEX bill_lines_merchant ON bill_lines (merchant_id);

CREATE TABLE statements (
    merchant_id TEXT NOT NULL,
    month       TEXT NOT NULL,
    sales       BIGINT NOT NULL,
    vouchers    BIGINT NOT NULL,
    fee         BIGINT NOT NULL,
    settlement  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, month)
);

-- +goose Down
DROP TABLE statements;
DROP TABLE bill_lines;
DROP TABLE bills;
DROP TABLE account_entries;
DROP TABLE accounts;
DROP TABLE collections;
DROP TABLE packages;
DROP TABLE usage_hours;
DROP TABLE usage_totals;
DROP TABLE usage_records;
ALTER TABLE plans DROP COLUMN package_quota;
ALTER TABLE plans DROP COLUMN package_item;
ALTER TABLE plans DROP COLUMN cycle;
ALTER TABLE plans DROP COLUMN tiers;
ALTER TABLE plans DROP COLUMN pricing;
