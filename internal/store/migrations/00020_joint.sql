-- +goose Up
-- Joint operation (protocol §5): enterprises (tenants), their department tree and users, the
-- joint-operation purchases bound to them, applications and user authorizations, and the kit
-- syncs each change causes, in the order they must reach the merchant.
CREATE TABLE enterprises (
    tenant_id        TEXT PRIMARY KEY,
    tenant_code      TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    domain_name      TEXT NOT NULL,
    admin_id         TEXT NOT NULL DEFAULT '',
    test_merchant_id TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
-- A buyer administers at most one enterprise.
CREATE UNIQUE INDEX enterprises_admin ON enterprises (admin_id) WHERE admin_id <> '';
CREATE INDEX enterprises_test_merchant ON enterprises (test_merchant_id);

CREATE TABLE departments (
    tenant_id   TEXT NOT NULL REFERENCES enterprises(tenant_id),
    org_code    TEXT NOT NULL,
    name        TEXT NOT NULL,
    parent_code TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, org_code),
    UNIQUE (tenant_id, parent_code, name)
);

CREATE TABLE enterprise_users (
    tenant_id     TEXT NOT NULL REFERENCES enterprises(tenant_id),
    user_name     TEXT NOT NULL,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    mobile        TEXT NOT NULL DEFAULT '',
    org_code      TEXT NOT NULL,
    role          TEXT NOT NULL,
    enabled       BOOLEAN NOT NULL,
    position      TEXT NOT NULL DEFAULT '',
    employee_code TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_name)
);
CREATE INDEX enterprise_users_org ON enterprise_users (tenant_id, org_code);

-- next_group numbers the sync groups of a binding; updating it is also the lock that orders the
-- binding's syncs when several transactions change them.
CREATE TABLE joint_bindings (
    instance_key TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES enterprises(tenant_id),
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    instance_id  TEXT NOT NULL DEFAULT '',
    order_id     TEXT NOT NULL DEFAULT '',
    test         BOOLEAN NOT NULL DEFAULT FALSE,
    state        TEXT NOT NULL,
    next_group   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX joint_bindings_tenant ON joint_bindings (tenant_id);

CREATE TABLE joint_apps (
    app_id       TEXT PRIMARY KEY,
    instance_key TEXT NOT NULL REFERENCES joint_bindings(instance_key),
    tenant_id    TEXT NOT NULL,
    merchant_id  TEXT NOT NULL,
    name         TEXT NOT NULL,
    client_id    TEXT NOT NULL UNIQUE,
    secret_hash  TEXT NOT NULL,
    -- the client secret as applicationSync sent it: encrypted for the merchant's RSA key, so
    -- that a later modify or delete can carry it (the field is mandatory) without keeping it clear
    secret_sent  TEXT NOT NULL,
    deleted      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX joint_apps_binding ON joint_apps (instance_key);

-- A user authorized on an application; state is a hash of what the merchant last received, so
-- that only users whose synced fields change are sent again.
CREATE TABLE joint_auths (
    app_id     TEXT NOT NULL REFERENCES joint_apps(app_id),
    user_name  TEXT NOT NULL,
    tenant_id  TEXT NOT NULL,
    state      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, user_name)
);
CREATE INDEX joint_auths_user ON joint_auths (tenant_id, user_name);

CREATE TABLE kit_syncs (
    id           TEXT PRIMARY KEY,
    instance_key TEXT NOT NULL REFERENCES joint_bindings(instance_key),
    tenant_id    TEXT NOT NULL,
    merchant_id  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    flag         INTEGER NOT NULL,
    users        INTEGER NOT NULL DEFAULT 0,
    grp          BIGINT NOT NULL,
    state        TEXT NOT NULL,
    call_id      TEXT NOT NULL DEFAULT '',
    form         TEXT NOT NULL,
    request      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX kit_syncs_open ON kit_syncs (instance_key, state, grp);
CREATE INDEX kit_syncs_call ON kit_syncs (call_id);
CREATE INDEX kit_syncs_tenant ON kit_syncs (tenant_id, created_at);

-- The RSA public key a merchant uploaded for client secrets, and where its logins may return.
CREATE TABLE merchant_kit_keys (
    merchant_id   TEXT PRIMARY KEY REFERENCES merchants(id),
    public_key    TEXT NOT NULL,
    bits          INTEGER NOT NULL,
    redirect_uris TEXT NOT NULL DEFAULT '',
    updated_at    BIGINT NOT NULL
);

CREATE TABLE kit_notices (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    call_id     TEXT NOT NULL,
    message     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX kit_notices_merchant ON kit_notices (merchant_id, created_at);

-- +goose Down
DROP TABLE kit_notices;
DROP TABLE merchant_kit_keys;
DROP TABLE kit_syncs;
DROP TABLE joint_auths;
DROP TABLE joint_apps;
DROP TABLE joint_bindings;
DROP TABLE enterprise_users;
DROP TABLE departments;
DROP TABLE enterprises;
