-- +goose Up
-- The industrial-software cloud (rules §7). Content lives in blob storage; these tables hold
-- what names it, who holds it and what it must hash to.

-- A spec's software package. Keyed by skuCode (which names its product too); no foreign key to
-- specs, so that the catalog's tables can change without this one.
CREATE TABLE industrial_packages (
    sku_code        TEXT PRIMARY KEY,
    product_id      TEXT NOT NULL,
    merchant_id     TEXT NOT NULL,
    data_in_cloud   BOOLEAN NOT NULL DEFAULT FALSE,
    version         TEXT NOT NULL DEFAULT '',
    forced_upgrade  BOOLEAN NOT NULL DEFAULT FALSE,
    forced_versions TEXT NOT NULL DEFAULT '',
    trial_supported BOOLEAN NOT NULL DEFAULT FALSE,
    trial_days      INTEGER NOT NULL DEFAULT 0,
    install_mode    TEXT NOT NULL DEFAULT 'SILENT',
    quota_bytes     BIGINT NOT NULL DEFAULT 0,
    notes           TEXT NOT NULL DEFAULT '',
    updated_at      BIGINT NOT NULL
);
CREATE INDEX industrial_packages_product ON industrial_packages (product_id);

-- One row per instance with a drive: bytes stored, and bytes promised to open uploads.
CREATE TABLE cloud_drives (
    instance_key   TEXT PRIMARY KEY,
    used_bytes     BIGINT NOT NULL DEFAULT 0,
    reserved_bytes BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL
);

-- Folders, files and assemblies. path_fold (the path in lower case) is unique per drive: the
-- drive's files are opened on case-insensitive Windows disks.
CREATE TABLE cloud_files (
    id             TEXT PRIMARY KEY,
    instance_key   TEXT NOT NULL,
    path           TEXT NOT NULL,
    path_fold      TEXT NOT NULL,
    parent         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 0,
    size           BIGINT NOT NULL DEFAULT 0,
    sha256         TEXT NOT NULL DEFAULT '',
    checked_out_by TEXT NOT NULL DEFAULT '',
    checked_out_at BIGINT NOT NULL DEFAULT 0,
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (instance_key, path_fold)
);
CREATE INDEX cloud_files_parent ON cloud_files (instance_key, parent, path);

-- Every version of a file. parts lists the stored pieces of its content in order (JSON); a
-- restored version shares the parts of the version it restores.
CREATE TABLE cloud_versions (
    file_id       TEXT NOT NULL REFERENCES cloud_files(id),
    version       INTEGER NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    parts         TEXT NOT NULL,
    author        TEXT NOT NULL,
    restored_from INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (file_id, version)
);

-- Resumable uploads: hash_state is the SHA-256 of the bytes received so far, so that a resumed
-- or completed upload never reads its earlier parts again.
CREATE TABLE cloud_uploads (
    id           TEXT PRIMARY KEY,
    instance_key TEXT NOT NULL,
    buyer_id     TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    path         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    file_id      TEXT NOT NULL DEFAULT '',
    base_version INTEGER NOT NULL DEFAULT 0,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    received     BIGINT NOT NULL DEFAULT 0,
    hash_state   TEXT NOT NULL DEFAULT '',
    parts        TEXT NOT NULL DEFAULT '[]',
    state        TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX cloud_uploads_instance ON cloud_uploads (instance_key, state);

-- The marketplace's license-signing key (Ed25519), made on first use.
CREATE TABLE cloud_signing_keys (
    id          TEXT PRIMARY KEY,
    private_key TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE cloud_license_requests (
    id            TEXT PRIMARY KEY,
    instance_key  TEXT NOT NULL,
    buyer_id      TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    file_name     TEXT NOT NULL DEFAULT '',
    device_sha256 TEXT NOT NULL,
    license       TEXT NOT NULL,
    issued_at     BIGINT NOT NULL,
    expire_at     BIGINT NOT NULL DEFAULT 0,
    verified_at   BIGINT NOT NULL DEFAULT 0,
    verify_ok     BOOLEAN NOT NULL DEFAULT FALSE,
    verify_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cloud_license_requests_instance ON cloud_license_requests (instance_key, issued_at);

CREATE TABLE cloud_solutions (
    id           TEXT PRIMARY KEY,
    instance_key TEXT NOT NULL,
    file_id      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    user_id      TEXT NOT NULL,
    state        TEXT NOT NULL,
    result       TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX cloud_solutions_instance ON cloud_solutions (instance_key, created_at);

-- Clients' confirmations of non-forced upgrades (UpgradeNotify).
CREATE TABLE cloud_upgrades (
    instance_key TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    from_version TEXT NOT NULL,
    to_version   TEXT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX cloud_upgrades_instance ON cloud_upgrades (instance_key, at);

-- +goose Down
DROP TABLE cloud_upgrades;
DROP TABLE cloud_solutions;
DROP TABLE cloud_license_requests;
DROP TABLE cloud_signing_keys;
DROP TABLE cloud_uploads;
DROP TABLE cloud_versions;
DROP TABLE cloud_files;
DROP TABLE cloud_drives;
DROP TABLE industrial_packages;
