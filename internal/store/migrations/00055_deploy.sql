-- +goose Up
-- Auto-deploy (rules §5): templates attached to asset versions with their validation report,
-- the operator's price table, the asset each auto-deploy spec selects, and buyers' deployments.
CREATE TABLE deploy_templates (
    id            TEXT PRIMARY KEY,
    asset_id      TEXT NOT NULL,
    asset_version INTEGER NOT NULL,
    merchant_id   TEXT NOT NULL,
    name          TEXT NOT NULL,
    valid         BOOLEAN NOT NULL,
    report        TEXT NOT NULL,
    files         TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX deploy_templates_asset ON deploy_templates (asset_id, created_at);
CREATE INDEX deploy_templates_merchant ON deploy_templates (merchant_id, created_at);

CREATE TABLE deploy_prices (
    resource_type TEXT PRIMARY KEY,
    lines         TEXT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE deploy_specs (
    sku_code    TEXT PRIMARY KEY,
    product_id  TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    asset_id    TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX deploy_specs_asset ON deploy_specs (asset_id);

CREATE TABLE deployments (
    id           TEXT PRIMARY KEY,
    instance_key TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    buyer_id     TEXT NOT NULL,
    merchant_id  TEXT NOT NULL,
    sku_code     TEXT NOT NULL,
    asset_id     TEXT NOT NULL,
    template_id  TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    state        TEXT NOT NULL,
    inputs       TEXT NOT NULL,
    plan         TEXT NOT NULL,
    stack_id     TEXT NOT NULL DEFAULT '',
    outputs      TEXT NOT NULL DEFAULT '{}',
    message      TEXT NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    deployed_at  BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX deployments_request ON deployments (instance_key, request_id);
CREATE INDEX deployments_buyer ON deployments (buyer_id, created_at);
CREATE INDEX deployments_merchant ON deployments (merchant_id, created_at);

-- +goose Down
DROP TABLE deployments;
DROP TABLE deploy_specs;
DROP TABLE deploy_prices;
DROP TABLE deploy_templates;
