-- +goose Up
-- How a spec is delivered: SAAS through the merchant's production interface, LICENSE as license
-- codes issued by the marketplace (no merchant call). Instances keep their spec's delivery.
ALTER TABLE specs ADD COLUMN delivery TEXT NOT NULL DEFAULT 'SAAS';
ALTER TABLE instances ADD COLUMN delivery TEXT NOT NULL DEFAULT 'SAAS';

-- +goose Down
ALTER TABLE instances DROP COLUMN delivery;
ALTER TABLE specs DROP COLUMN delivery;
