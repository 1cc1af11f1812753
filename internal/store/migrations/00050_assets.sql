-- +goose Up
-- The asset centre (rules §5.2, §6.1): merchants' images and packages, their versions, their
-- uploads and their review history. Content lives in blob storage; these tables name it.

-- state is the newest version's review state (the review queue reads it); version and
-- approved_version name the newest and the newest approved version.
CREATE TABLE assets (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL,
    kind             TEXT NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    arch             TEXT NOT NULL,
    regions          TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 0,
    approved_version INTEGER NOT NULL DEFAULT 0,
    scan_error       TEXT NOT NULL DEFAULT '',
    scan_attempts    INTEGER NOT NULL DEFAULT 0,
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX assets_merchant ON assets (merchant_id, created_at, id);
CREATE INDEX assets_state ON assets (state, updated_at, id);

-- Every version: its content (parts, JSON) and its review (state, report, appeal, comment).
CREATE TABLE asset_versions (
    asset_id     TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    n            INTEGER NOT NULL,
    label        TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    size         BIGINT NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL DEFAULT '',
    parts        TEXT NOT NULL DEFAULT '[]',
    source_url   TEXT NOT NULL DEFAULT '',
    fetch_error  TEXT NOT NULL DEFAULT '',
    ready        BOOLEAN NOT NULL DEFAULT FALSE,
    state        TEXT NOT NULL,
    report       TEXT NOT NULL DEFAULT '',
    appeal       TEXT NOT NULL DEFAULT '',
    comment      TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    submitted_at BIGINT NOT NULL DEFAULT 0,
    decided_at   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (asset_id, n),
    UNIQUE (asset_id, label)
);

-- Resumable uploads of new versions (like cloud_uploads): hash_state is the SHA-256 of the
-- bytes received so far.
CREATE TABLE asset_uploads (
    id          TEXT PRIMARY KEY,
    asset_id    TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    label       TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    received    BIGINT NOT NULL DEFAULT 0,
    hash_state  TEXT NOT NULL DEFAULT '',
    parts       TEXT NOT NULL DEFAULT '[]',
    state       TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX asset_uploads_asset ON asset_uploads (asset_id);

-- The review history, one row per state change.
CREATE TABLE asset_events (
    asset_id   TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    n          INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    by_user    TEXT NOT NULL,
    comment    TEXT NOT NULL DEFAULT '',
    at         BIGINT NOT NULL,
    PRIMARY KEY (asset_id, n)
);

-- +goose Down
DROP TABLE asset_events;
DROP TABLE asset_uploads;
DROP TABLE asset_versions;
DROP TABLE assets;
