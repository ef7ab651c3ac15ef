-- Foundation: accounts, API keys, projects, template headers, NFC merchants.

CREATE TABLE "accounts" (
  "id"         SERIAL PRIMARY KEY,
  "name"       TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

CREATE TABLE "api_keys" (
  "id"          SERIAL PRIMARY KEY,
  "account_id"  INTEGER NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "key"         TEXT NOT NULL,
  "name"        TEXT NOT NULL,
  "secret_hash" TEXT NOT NULL,
  "created_at"  TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "revoked_at"  TIMESTAMPTZ(3)
);
CREATE UNIQUE INDEX "api_keys_key_key" ON "api_keys"("key");
CREATE UNIQUE INDEX "api_keys_secret_hash_key" ON "api_keys"("secret_hash");
CREATE INDEX "api_keys_account_id_idx" ON "api_keys"("account_id");

CREATE TABLE "projects" (
  "id"           SERIAL PRIMARY KEY,
  "account_id"   INTEGER NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "external_id"  TEXT,
  "context_id"   TEXT NOT NULL,
  "name"         TEXT NOT NULL,
  "description"  TEXT NOT NULL DEFAULT '',
  "project_type" TEXT NOT NULL,
  "settings"     JSONB NOT NULL DEFAULT '{}',
  "created_at"   TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at"   TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX "projects_context_id_key" ON "projects"("context_id");
CREATE UNIQUE INDEX "projects_account_id_external_id_key" ON "projects"("account_id", "external_id");
CREATE INDEX "projects_account_id_id_idx" ON "projects"("account_id", "id");

CREATE TABLE "templates" (
  "id"          SERIAL PRIMARY KEY,
  "account_id"  INTEGER NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "project_id"  INTEGER NOT NULL REFERENCES "projects"("id") ON DELETE CASCADE,
  "external_id" TEXT,
  "name"        TEXT NOT NULL,
  "description" TEXT NOT NULL DEFAULT '',
  "vendor"      TEXT NOT NULL,
  "type"        TEXT NOT NULL,
  "design"      JSONB NOT NULL DEFAULT '{}',
  "disabled"    BOOLEAN NOT NULL DEFAULT false,
  "created_at"  TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at"  TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX "templates_account_id_external_id_key" ON "templates"("account_id", "external_id");
CREATE INDEX "templates_project_id_idx" ON "templates"("project_id");

CREATE TABLE "nfc_merchants" (
  "id"                     UUID PRIMARY KEY,
  "project_id"             INTEGER NOT NULL REFERENCES "projects"("id") ON DELETE CASCADE,
  "vendor"                 TEXT NOT NULL,
  "merchant_name"          TEXT,
  "merchant_email"         TEXT,
  "terminal_provider"      TEXT,
  "public_key_pem"         TEXT NOT NULL,
  "key_version"            INTEGER NOT NULL DEFAULT 1,
  "key_source"             TEXT NOT NULL,
  "smart_tap_issuer_id"    TEXT,
  "smart_tap_collector_id" TEXT,
  "created_at"             TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at"             TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE INDEX "nfc_merchants_project_id_idx" ON "nfc_merchants"("project_id");
