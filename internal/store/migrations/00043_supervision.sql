-- +goose Up
-- Service supervision (rules §4): which specs are supervised and with which flow, each
-- supervised instance's flow, and appeals on flows.
CREATE TABLE supervised_specs (
    sku_code   TEXT PRIMARY KEY,
    template   TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE service_flows (
    id                     TEXT PRIMARY KEY,
    instance_key           TEXT NOT NULL UNIQUE,
    order_id               TEXT NOT NULL,
    buyer_id               TEXT NOT NULL,
    merchant_id            TEXT NOT NULL,
    sku_code               TEXT NOT NULL,
    delivery               TEXT NOT NULL,
    template               TEXT NOT NULL,
    state                  TEXT NOT NULL,
    frozen                 BOOLEAN NOT NULL DEFAULT FALSE,
    requirement_rejections INTEGER NOT NULL DEFAULT 0,
    delivery_rejections    INTEGER NOT NULL DEFAULT 0,
    state_since            BIGINT NOT NULL,
    accepted_at            BIGINT NOT NULL DEFAULT 0,
    completed_at           BIGINT NOT NULL DEFAULT 0,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
CREATE INDEX service_flows_order ON service_flows (order_id);
CREATE INDEX service_flows_buyer ON service_flows (buyer_id, created_at);
CREATE INDEX service_flows_merchant ON service_flows (merchant_id, created_at);

CREATE TABLE appeals (
    id          TEXT PRIMARY KEY,
    flow_id     TEXT NOT NULL,
    by_role     TEXT NOT NULL,
    by_id       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    demand      TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL,
    outcome     TEXT NOT NULL DEFAULT '',
    resume_at   TEXT NOT NULL DEFAULT '',
    refund      BIGINT NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    due_at      BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    decided_at  BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX appeals_open ON appeals (flow_id) WHERE state = 'OPEN';
CREATE INDEX appeals_state ON appeals (state, due_at);

-- +goose Down
DROP TABLE appeals;
DROP TABLE service_flows;
DROP TABLE supervised_specs;
