-- +goose Up
-- Debug runs (the seller's "application access debugging", rules §1.3) and dial tests (twice a
-- day, protocol §0.2): the same cases sent with testFlag=1. A product's saved debug cases are
-- its latest passed DEBUG run. dial_key ("<product>/<round>", NULL for a seller's debug run)
-- makes a dial run unique per product and round, so a round that is enqueued twice tests once.
CREATE TABLE debug_runs (
    id          TEXT PRIMARY KEY,
    product_id  TEXT NOT NULL REFERENCES products(id),
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    kind        TEXT NOT NULL,
    round_at    BIGINT NOT NULL,
    state       TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL DEFAULT 0,
    dial_key    TEXT UNIQUE
);
CREATE INDEX debug_runs_product ON debug_runs (product_id, kind, started_at);

CREATE TABLE debug_cases (
    run_id      TEXT NOT NULL REFERENCES debug_runs(id),
    n           INTEGER NOT NULL,
    name        TEXT NOT NULL,
    activity    TEXT NOT NULL,
    request     TEXT NOT NULL,
    status      INTEGER NOT NULL,
    response    TEXT NOT NULL,
    result_code TEXT NOT NULL,
    latency_ms  BIGINT NOT NULL,
    error       TEXT NOT NULL,
    passed      BOOLEAN NOT NULL,
    at          BIGINT NOT NULL,
    PRIMARY KEY (run_id, n)
);

-- Dial rounds that were started: a round starts once, whichever replica's tick sees it first.
CREATE TABLE dial_rounds (
    round_at   BIGINT PRIMARY KEY,
    started_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE dial_rounds;
DROP TABLE debug_cases;
DROP TABLE debug_runs;
