-- +goose Up
-- Upgrade rules (rules §1.7): from a source spec (or SKU of it) to a target. A rule allows an
-- upgrade or scale-out within validity and, read backwards, a downgrade or scale-in at renewal.
-- step is the scale-out step of a quantity SKU (a multiple of its base step, at most 5×).
-- Whether a rule still holds (both sides listed, period billed, prices not in conflict) is
-- decided when it is read, so it lapses the moment a side changes.
CREATE TABLE upgrade_rules (
    product_id      TEXT NOT NULL REFERENCES products(id),
    source_sku_code TEXT NOT NULL,
    source_sku_id   TEXT NOT NULL DEFAULT '',
    target_sku_code TEXT NOT NULL,
    target_sku_id   TEXT NOT NULL DEFAULT '',
    step            BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (product_id, source_sku_code, source_sku_id, target_sku_code, target_sku_id)
);

-- +goose Down
DROP TABLE upgrade_rules;
