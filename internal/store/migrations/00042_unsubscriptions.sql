-- +goose Up
-- Unsubscription requests (rules §3). An instance has at most one open request.
CREATE TABLE unsubscriptions (
    id                   TEXT PRIMARY KEY,
    instance_key         TEXT NOT NULL,
    order_id             TEXT NOT NULL,
    buyer_id             TEXT NOT NULL,
    merchant_id          TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    state                TEXT NOT NULL,
    amount               BIGINT NOT NULL,
    paid                 BIGINT NOT NULL,
    reason               TEXT NOT NULL,
    share_contact        BOOLEAN NOT NULL DEFAULT FALSE,
    seller_note          TEXT NOT NULL DEFAULT '',
    approval             TEXT NOT NULL DEFAULT '',
    return_carrier       TEXT NOT NULL DEFAULT '',
    return_waybill       TEXT NOT NULL DEFAULT '',
    no_reason            BOOLEAN NOT NULL DEFAULT FALSE,
    unsubscribe_order_id TEXT NOT NULL DEFAULT '',
    deadline             BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    refunded_at          BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX unsubscriptions_open ON unsubscriptions (instance_key)
    WHERE state IN ('PENDING_SELLER_REVIEW', 'REFUNDING', 'AWAITING_BUYER_RETURN', 'AWAITING_SELLER_INSPECTION', 'DISPUTE');
CREATE INDEX unsubscriptions_buyer ON unsubscriptions (buyer_id, created_at);
CREATE INDEX unsubscriptions_merchant ON unsubscriptions (merchant_id, created_at);

-- The 5-day no-reason refunds each buyer used, by calendar year (10 a year).
CREATE TABLE no_reason_uses (
    buyer_id TEXT NOT NULL,
    year     INTEGER NOT NULL,
    ref      TEXT NOT NULL,
    at       BIGINT NOT NULL,
    PRIMARY KEY (buyer_id, ref)
);
CREATE INDEX no_reason_uses_year ON no_reason_uses (buyer_id, year);

-- Invoices issued for orders: one outstanding blocks the order's unsubscription.
CREATE TABLE invoices (
    order_id    TEXT PRIMARY KEY,
    buyer_id    TEXT NOT NULL,
    state       TEXT NOT NULL,
    issued_at   BIGINT NOT NULL,
    returned_at BIGINT NOT NULL DEFAULT 0
);

-- The evidence log of every after-sale record (flows, unsubscriptions, appeals), appended only,
-- and the files attached to its steps.
CREATE TABLE evidence (
    subject    TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    at         BIGINT NOT NULL,
    role       TEXT NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL DEFAULT '',
    to_state   TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (subject, seq)
);
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    subject      TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content      TEXT NOT NULL
);
CREATE INDEX attachments_subject ON attachments (subject, seq);

-- +goose Down
DROP TABLE attachments;
DROP TABLE evidence;
DROP TABLE invoices;
DROP TABLE no_reason_uses;
DROP TABLE unsubscriptions;
