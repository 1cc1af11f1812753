-- +goose Up
-- Written in the SQL subset that SQLite and PostgreSQL share, so one migration set serves both.
-- Times are Unix milliseconds (BIGINT) in both dialects, so comparisons are plain integers.
CREATE TABLE merchants (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    production_url    TEXT NOT NULL,
    generation        INTEGER NOT NULL CHECK (generation IN (1, 2)),
    access_key        TEXT NOT NULL,
    kit_key           TEXT NOT NULL DEFAULT '',
    require_body_sign BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        BIGINT NOT NULL
);

CREATE TABLE api_keys (
    ak          TEXT PRIMARY KEY,
    sk          TEXT NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    created_at  BIGINT NOT NULL
);

CREATE TABLE products (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE specs (
    sku_code   TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products(id),
    name       TEXT NOT NULL,
    charging   TEXT NOT NULL,
    trial_days INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE plans (
    product_id TEXT PRIMARY KEY,
    sku_code   TEXT NOT NULL REFERENCES specs(sku_code),
    period     TEXT NOT NULL DEFAULT '',
    price      BIGINT NOT NULL,
    currency   TEXT NOT NULL
);
-- A period spec has one plan per period type (the catalog checks it); a pay-per-use spec has one
-- plan per billing item, all with an empty period.
CREATE INDEX plans_sku ON plans (sku_code, period);

CREATE TABLE buyers (
    customer_id TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    mobile      TEXT NOT NULL DEFAULT '',
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

CREATE TABLE orders (
    id              TEXT PRIMARY KEY,
    buyer_id        TEXT NOT NULL REFERENCES buyers(customer_id),
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    type            TEXT NOT NULL,
    status          TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    refunded        BIGINT NOT NULL DEFAULT 0,
    currency        TEXT NOT NULL,
    instance_key    TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (buyer_id, idempotency_key)
);
CREATE INDEX orders_buyer ON orders (buyer_id, created_at);
CREATE INDEX orders_merchant ON orders (merchant_id, created_at);

CREATE TABLE order_lines (
    id            TEXT PRIMARY KEY,
    order_id      TEXT NOT NULL REFERENCES orders(id),
    product_id    TEXT NOT NULL,
    sku_code      TEXT NOT NULL,
    charging      TEXT NOT NULL,
    period        TEXT NOT NULL DEFAULT '',
    period_number INTEGER NOT NULL DEFAULT 0,
    amount        BIGINT NOT NULL,
    starts_at     BIGINT NOT NULL DEFAULT 0,
    expire_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX order_lines_order ON order_lines (order_id);

-- One instance per creating order line; for pay-per-use the line is one billing item, so this
-- is also one instance per (orderId, productId).
CREATE TABLE instances (
    line_id      TEXT PRIMARY KEY REFERENCES order_lines(id),
    id           TEXT UNIQUE,
    order_id     TEXT NOT NULL REFERENCES orders(id),
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    buyer_id     TEXT NOT NULL REFERENCES buyers(customer_id),
    product_id   TEXT NOT NULL,
    sku_code     TEXT NOT NULL,
    charging     TEXT NOT NULL,
    period       TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    trial        BOOLEAN NOT NULL DEFAULT FALSE,
    expire_at    BIGINT NOT NULL DEFAULT 0,
    release_at   BIGINT NOT NULL DEFAULT 0,
    app_info     TEXT NOT NULL DEFAULT '',
    encrypt_type TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (order_id, product_id)
);
CREATE INDEX instances_buyer ON instances (buyer_id);
CREATE INDEX instances_merchant ON instances (merchant_id);

CREATE TABLE calls (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    activity     TEXT NOT NULL,
    instance_key TEXT NOT NULL DEFAULT '',
    order_id     TEXT NOT NULL DEFAULT '',
    request      TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    result_code  TEXT NOT NULL DEFAULT '',
    last_error   TEXT NOT NULL DEFAULT '',
    deadline     BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX calls_merchant ON calls (merchant_id, created_at);
CREATE INDEX calls_instance ON calls (instance_key);

CREATE TABLE call_attempts (
    call_id     TEXT NOT NULL REFERENCES calls(id),
    n           INTEGER NOT NULL,
    at          BIGINT NOT NULL,
    method      TEXT NOT NULL,
    url         TEXT NOT NULL,
    request     TEXT NOT NULL,
    status      INTEGER NOT NULL,
    response    TEXT NOT NULL,
    result_code TEXT NOT NULL,
    latency_ms  BIGINT NOT NULL,
    error       TEXT NOT NULL,
    PRIMARY KEY (call_id, n)
);

-- +goose Down
DROP TABLE call_attempts;
DROP TABLE calls;
DROP TABLE instances;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE buyers;
DROP TABLE plans;
DROP TABLE specs;
DROP TABLE products;
DROP TABLE api_keys;
DROP TABLE merchants;
