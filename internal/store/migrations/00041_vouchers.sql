-- +goose Up
-- Vouchers and cash coupons (rules §8.4, §3.1, §1.6). valid_until is exclusive.
CREATE TABLE vouchers (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    issuer      TEXT NOT NULL DEFAULT '',
    buyer_id    TEXT NOT NULL,
    scope       TEXT NOT NULL,
    scope_id    TEXT NOT NULL DEFAULT '',
    amount      BIGINT NOT NULL,
    balance     BIGINT NOT NULL,
    valid_from  BIGINT NOT NULL,
    valid_until BIGINT NOT NULL,
    state       TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX vouchers_buyer ON vouchers (buyer_id, state, valid_until);
CREATE INDEX vouchers_scope ON vouchers (scope, scope_id, state);
CREATE INDEX vouchers_issuer ON vouchers (issuer, created_at);

-- What each voucher paid of each sale, and what of it an unsubscription gave back.
CREATE TABLE voucher_uses (
    voucher_id TEXT NOT NULL,
    sale_ref   TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    returned   BIGINT NOT NULL DEFAULT 0,
    at         BIGINT NOT NULL,
    PRIMARY KEY (voucher_id, sale_ref)
);
CREATE INDEX voucher_uses_sale ON voucher_uses (sale_ref);

-- +goose Down
DROP TABLE voucher_uses;
DROP TABLE vouchers;
