-- +goose Up
-- Sales regions (rules §1.8): the regions a merchant's signing entity may sell in (set by the
-- operator at certification; none stored means the site's default), and a buyer's country.
CREATE TABLE signing_regions (
    merchant_id TEXT PRIMARY KEY REFERENCES merchants(id),
    regions     TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE TABLE buyer_countries (
    customer_id TEXT PRIMARY KEY REFERENCES buyers(customer_id),
    country     TEXT NOT NULL
);

-- Resale authorization discounts (rules §1.9) at product, partner and customer level. discount
-- is the multiplier in thousandths (900 = 0.9, a 10 % discount).
CREATE TABLE resale_discounts (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    product_id  TEXT NOT NULL REFERENCES products(id),
    level       TEXT NOT NULL,
    partner_id  TEXT NOT NULL DEFAULT '',
    customer_id TEXT NOT NULL DEFAULT '',
    discount    BIGINT NOT NULL,
    valid_from  BIGINT NOT NULL,
    valid_to    BIGINT NOT NULL,
    state       TEXT NOT NULL,
    project     TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX resale_discounts_merchant ON resale_discounts (merchant_id, created_at);
CREATE INDEX resale_discounts_product ON resale_discounts (product_id, level);

-- Attribute templates (rules §1.11): PRESET ones (the operator's, merchant_id '') and each
-- merchant's CUSTOM ones, per category. Products keep a copy made when they are published.
CREATE TABLE attribute_templates (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL,
    type        TEXT NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    origin      TEXT NOT NULL,
    attr_values TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    UNIQUE (merchant_id, category, code)
);

-- +goose Down
DROP TABLE attribute_templates;
DROP TABLE resale_discounts;
DROP TABLE buyer_countries;
DROP TABLE signing_regions;
