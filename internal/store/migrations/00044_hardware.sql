-- +goose Up
-- Hardware (rules §3.3, §4.1): stock per spec, one shipment per hardware instance, and the
-- waybill events the operator (or, one day, a carrier integration) enters.
CREATE TABLE hardware_stock (
    sku_code       TEXT PRIMARY KEY,
    merchant_id    TEXT NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity >= 0),
    return_address TEXT NOT NULL DEFAULT '',
    updated_at     BIGINT NOT NULL
);

CREATE TABLE shipments (
    instance_key  TEXT PRIMARY KEY,
    order_id      TEXT NOT NULL,
    buyer_id      TEXT NOT NULL,
    merchant_id   TEXT NOT NULL,
    sku_code      TEXT NOT NULL,
    state         TEXT NOT NULL,
    address       TEXT NOT NULL DEFAULT '',
    carrier       TEXT NOT NULL DEFAULT '',
    waybill       TEXT NOT NULL DEFAULT '',
    shipped_at    BIGINT NOT NULL DEFAULT 0,
    signed_at     BIGINT NOT NULL DEFAULT 0,
    last_event_at BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX shipments_waybill ON shipments (carrier, waybill);
CREATE INDEX shipments_merchant ON shipments (merchant_id, created_at);

CREATE TABLE waybill_events (
    carrier TEXT NOT NULL,
    waybill TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    at      BIGINT NOT NULL,
    status  TEXT NOT NULL,
    text    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (carrier, waybill, seq)
);

-- +goose Down
DROP TABLE waybill_events;
DROP TABLE shipments;
DROP TABLE hardware_stock;
