-- +goose Up
-- Lists of orders and instances are pages newest first, filtered by buyer or merchant or not at
-- all (the operator's). Each filter gets an index in page order, tie-breaker included, so that a
-- page is one index range however many orders the buyer or merchant has (mercato bench web).
DROP INDEX orders_buyer;
DROP INDEX orders_merchant;
DROP INDEX instances_buyer;
DROP INDEX instances_merchant;
CREATE INDEX orders_buyer_page ON orders (buyer_id, created_at, id);
CREATE INDEX orders_merchant_page ON orders (merchant_id, created_at, id);
CREATE INDEX orders_page ON orders (created_at, id);
CREATE INDEX instances_buyer_page ON instances (buyer_id, created_at, line_id);
CREATE INDEX instances_merchant_page ON instances (merchant_id, created_at, line_id);
CREATE INDEX instances_page ON instances (created_at, line_id);

-- +goose Down
DROP INDEX instances_page;
DROP INDEX instances_merchant_page;
DROP INDEX instances_buyer_page;
DROP INDEX orders_page;
DROP INDEX orders_merchant_page;
DROP INDEX orders_buyer_page;
CREATE INDEX orders_buyer ON orders (buyer_id, created_at);
CREATE INDEX orders_merchant ON orders (merchant_id, created_at);
CREATE INDEX instances_buyer ON instances (buyer_id);
CREATE INDEX instances_merchant ON instances (merchant_id);
