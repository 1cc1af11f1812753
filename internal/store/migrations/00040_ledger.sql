-- +goose Up
-- The after-sale ledger (docs/after-sale.md). Every payment sells something: an order line or a
-- pay-per-use bill's line for one instance. A sale records what paid for it (vouchers, coupons,
-- the balance) and what the merchant's held account holds for it until a bill run settles it.
CREATE TABLE sales (
    ref               TEXT PRIMARY KEY,
    merchant_id       TEXT NOT NULL,
    buyer_id          TEXT NOT NULL,
    order_id          TEXT NOT NULL DEFAULT '',
    instance_key      TEXT NOT NULL,
    product_id        TEXT NOT NULL,
    kind              TEXT NOT NULL,
    gross             BIGINT NOT NULL,
    seller_discount   BIGINT NOT NULL DEFAULT 0,
    platform_discount BIGINT NOT NULL DEFAULT 0,
    cash              BIGINT NOT NULL,
    unpaid            BIGINT NOT NULL DEFAULT 0,
    refunded          BIGINT NOT NULL DEFAULT 0,
    returned          BIGINT NOT NULL DEFAULT 0,
    held              BIGINT NOT NULL,
    effective_at      BIGINT NOT NULL,
    at                BIGINT NOT NULL,
    settled_month     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sales_merchant ON sales (merchant_id, settled_month, effective_at);
CREATE INDEX sales_instance ON sales (instance_key);
CREATE INDEX sales_order ON sales (order_id);
CREATE INDEX sales_unpaid ON sales (buyer_id, unpaid);

-- Movements on the merchants' held and payable accounts and the platform's: once per (account,
-- ref), as buyers' entries are once per (buyer, ref).
CREATE TABLE ledger_postings (
    account TEXT NOT NULL,
    ref     TEXT NOT NULL,
    kind    TEXT NOT NULL,
    amount  BIGINT NOT NULL,
    at      BIGINT NOT NULL,
    PRIMARY KEY (account, ref)
);

-- Credit lines of buyers (the balance may go this far below zero for credit-pay products), and
-- the products sold on credit: their sales settle only once the buyer has repaid.
CREATE TABLE credit_lines (
    buyer_id     TEXT PRIMARY KEY,
    credit_limit BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE TABLE credit_pay_products (
    product_id TEXT PRIMARY KEY,
    updated_at BIGINT NOT NULL
);

-- A statement now also shows the refunds of earlier settled sales it deducts and what stays held.
ALTER TABLE statements ADD COLUMN refunds BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statements ADD COLUMN held BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE statements DROP COLUMN held;
ALTER TABLE statements DROP COLUMN refunds;
DROP TABLE credit_pay_products;
DROP TABLE credit_lines;
DROP TABLE ledger_postings;
DROP TABLE sales;
