-- +goose Up
-- An instance whose usage could not be rated in a collection (a sum past the ceiling, an amount
-- that overflows): it is left out of that collection's bills and listed here for the operator,
-- while every other instance is billed.
CREATE TABLE collection_failures (
    cycle_at     BIGINT NOT NULL,
    instance_key TEXT NOT NULL,
    reason       TEXT NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (cycle_at, instance_key)
);

-- +goose Down
DROP TABLE collection_failures;
