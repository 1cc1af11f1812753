-- +goose Up
-- A merchant's keys can be rotated: the previous ones stay valid for answers to calls signed
-- before the rotation (Body-Sign, appInfo credentials), for a while after rotated_at.
ALTER TABLE merchants ADD COLUMN previous_access_key TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN previous_kit_key TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN keys_rotated_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE merchants DROP COLUMN keys_rotated_at;
ALTER TABLE merchants DROP COLUMN previous_kit_key;
ALTER TABLE merchants DROP COLUMN previous_access_key;
