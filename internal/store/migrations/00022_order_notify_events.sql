-- +goose Up
-- Order notification (protocol §4.7): the products whose paid orders are notified, and the one
-- notification each order gets (however many of its lines are configured).
CREATE TABLE order_notify_products (
    product_id  TEXT PRIMARY KEY REFERENCES products(id),
    merchant_id TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE order_notifications (
    order_id   TEXT PRIMARY KEY REFERENCES orders(id),
    line_id    TEXT NOT NULL,
    call_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Market events of an order (protocol §8.8): a slot opened on the order for the merchant to
-- upload a file (Base64 in content, with its SHA-256) or up to 1024 characters.
CREATE TABLE market_events (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES orders(id),
    merchant_id TEXT NOT NULL,
    buyer_id    TEXT NOT NULL,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT '',
    file_name   TEXT NOT NULL DEFAULT '',
    sha256      TEXT NOT NULL DEFAULT '',
    size        BIGINT NOT NULL DEFAULT 0,
    content     TEXT NOT NULL DEFAULT '',
    uploaded_at BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE INDEX market_events_order ON market_events (order_id, created_at);

-- +goose Down
DROP TABLE market_events;
DROP TABLE order_notifications;
DROP TABLE order_notify_products;
