-- +goose Up
-- Sales status of products, specs and SKUs (rules §1.5, §1.6). Products that exist already were
-- created on sale by the operator, so they start ON_SALE_PUBLIC. listing is the approved
-- listing (JSON); frozen is set by five days of failed dial tests (protocol §0.2).
ALTER TABLE products ADD COLUMN status TEXT NOT NULL DEFAULT 'ON_SALE_PUBLIC';
ALTER TABLE products ADD COLUMN frozen BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE products ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN listing TEXT NOT NULL DEFAULT '';
CREATE INDEX products_merchant ON products (merchant_id, id);
ALTER TABLE specs ADD COLUMN status TEXT NOT NULL DEFAULT 'ON_SALE_PUBLIC';
ALTER TABLE specs ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
CREATE INDEX specs_product ON specs (product_id);

-- SKUs: attribute combinations of a spec, with an optional quantity attribute (unit, step, max).
CREATE TABLE skus (
    id         TEXT PRIMARY KEY,
    sku_code   TEXT NOT NULL REFERENCES specs(sku_code),
    name       TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '',
    unit       TEXT NOT NULL DEFAULT '',
    step       BIGINT NOT NULL DEFAULT 0,
    max        BIGINT NOT NULL DEFAULT 0,
    status     TEXT NOT NULL
);
CREATE INDEX skus_spec ON skus (sku_code);
ALTER TABLE plans ADD COLUMN sku_id TEXT NOT NULL DEFAULT '';

-- The amount of a SKU's quantity attribute an instance has, and an order line bought.
ALTER TABLE instances ADD COLUMN quantity BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN quantity BIGINT NOT NULL DEFAULT 0;

-- Applications (rules §1.3): one state machine for release, modification, visibility, removal
-- and business-plan applications. target names the spec or SKU a visibility or removal is about.
CREATE TABLE applications (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    product_id   TEXT NOT NULL,
    type         TEXT NOT NULL,
    target       TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    payload      TEXT NOT NULL,
    comment      TEXT NOT NULL DEFAULT '',
    submitted_at BIGINT NOT NULL DEFAULT 0,
    due_at       BIGINT NOT NULL DEFAULT 0,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX applications_merchant ON applications (merchant_id, created_at);
CREATE INDEX applications_queue ON applications (state, submitted_at);
CREATE INDEX applications_product ON applications (product_id, created_at);
-- One application of a kind under review per product and target: two concurrent submits (or a
-- submit racing a resubmit) cannot both be pending.
CREATE UNIQUE INDEX applications_one_pending ON applications (product_id, type, target) WHERE state = 'PENDING_APPROVAL';

-- Every state change of an application: who, when, with what comment.
CREATE TABLE application_transitions (
    application_id TEXT NOT NULL REFERENCES applications(id),
    n              INTEGER NOT NULL,
    from_state     TEXT NOT NULL,
    to_state       TEXT NOT NULL,
    by_user        TEXT NOT NULL,
    comment        TEXT NOT NULL DEFAULT '',
    at             BIGINT NOT NULL,
    PRIMARY KEY (application_id, n)
);

-- The storefront's read model: one row per plan buyers may find (product on sale publicly and
-- not frozen, spec and SKU public), with what a listing shows. The store rewrites a product's
-- rows in the transaction of every change that can alter them (storefront.go), so a storefront
-- page is one index range of one table. search_id links SQLite's full-text index (0 on PostgreSQL).
CREATE TABLE storefront (
    product      TEXT NOT NULL,
    plan_id      TEXT NOT NULL,
    merchant_id  TEXT NOT NULL,
    category     TEXT NOT NULL,
    product_name TEXT NOT NULL,
    search_id    BIGINT NOT NULL DEFAULT 0,
    sku_code     TEXT NOT NULL,
    spec_name    TEXT NOT NULL,
    charging     TEXT NOT NULL,
    trial_days   INTEGER NOT NULL,
    delivery     TEXT NOT NULL,
    sku_id       TEXT NOT NULL,
    sku_name     TEXT NOT NULL,
    period       TEXT NOT NULL,
    price        BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    PRIMARY KEY (product, plan_id)
);
CREATE INDEX storefront_category ON storefront (category, product, plan_id);
CREATE INDEX storefront_merchant ON storefront (merchant_id, product, plan_id);
INSERT INTO storefront (product, plan_id, merchant_id, category, product_name, sku_code, spec_name, charging, trial_days, delivery,
    sku_id, sku_name, period, price, currency)
    SELECT p.id, pl.product_id, p.merchant_id, p.category, p.name, s.sku_code, s.name, s.charging, s.trial_days, s.delivery,
    pl.sku_id, '', pl.period, pl.price, pl.currency
    FROM plans pl JOIN specs s ON s.sku_code = pl.sku_code JOIN products p ON p.id = s.product_id;

-- +goose Down
DROP TABLE storefront;
DROP TABLE application_transitions;
DROP TABLE applications;
ALTER TABLE order_lines DROP COLUMN quantity;
ALTER TABLE instances DROP COLUMN quantity;
ALTER TABLE plans DROP COLUMN sku_id;
DROP TABLE skus;
DROP INDEX specs_product;
ALTER TABLE specs DROP COLUMN name_en;
ALTER TABLE specs DROP COLUMN status;
DROP INDEX products_merchant;
ALTER TABLE products DROP COLUMN listing;
ALTER TABLE products DROP COLUMN category;
ALTER TABLE products DROP COLUMN frozen;
ALTER TABLE products DROP COLUMN status;
