-- Passes, tags, locations, tickets.

CREATE TABLE "passes" (
  "id"              SERIAL PRIMARY KEY,
  "account_id"      INTEGER NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "template_id"     INTEGER NOT NULL REFERENCES "templates"("id") ON DELETE CASCADE,
  "external_id"     TEXT,
  "serial_number"   TEXT NOT NULL,
  "overrides"       JSONB NOT NULL DEFAULT '{}',
  "beacons"         JSONB,
  "version"         INTEGER NOT NULL DEFAULT 1,
  "status"          TEXT NOT NULL DEFAULT 'not_been_installed',
  "platform"        TEXT,
  "installed_at"    TIMESTAMPTZ(3),
  "uninstalled_at"  TIMESTAMPTZ(3),
  "public_url_type" TEXT,
  "public_url_token" TEXT,
  "public_url_used" BOOLEAN NOT NULL DEFAULT false,
  "installs"        INTEGER NOT NULL DEFAULT 0,
  "created_at"      TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at"      TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX "passes_serial_number_key" ON "passes"("serial_number");
CREATE UNIQUE INDEX "passes_public_url_token_key" ON "passes"("public_url_token");
CREATE UNIQUE INDEX "passes_template_id_external_id_key" ON "passes"("template_id", "external_id");
CREATE INDEX "passes_account_id_external_id_idx" ON "passes"("account_id", "external_id");
CREATE INDEX "passes_account_id_id_idx" ON "passes"("account_id", "id");
CREATE INDEX "passes_template_id_status_id_idx" ON "passes"("template_id", "status", "id");

CREATE TABLE "tags" (
  "id"         SERIAL PRIMARY KEY,
  "account_id" INTEGER NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "name"       TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX "tags_account_id_name_key" ON "tags"("account_id", "name");

CREATE TABLE "pass_tags" (
  "pass_id" INTEGER NOT NULL REFERENCES "passes"("id") ON DELETE CASCADE,
  "tag_id"  INTEGER NOT NULL REFERENCES "tags"("id") ON DELETE CASCADE,
  PRIMARY KEY ("pass_id", "tag_id")
);
CREATE INDEX "pass_tags_tag_id_idx" ON "pass_tags"("tag_id");

-- A location belongs to a template (shared by its passes) or to one pass.
CREATE TABLE "locations" (
  "id"              SERIAL PRIMARY KEY,
  "template_id"     INTEGER REFERENCES "templates"("id") ON DELETE CASCADE,
  "pass_id"         INTEGER REFERENCES "passes"("id") ON DELETE CASCADE,
  "latitude"        DOUBLE PRECISION NOT NULL,
  "longitude"       DOUBLE PRECISION NOT NULL,
  "altitude"        DOUBLE PRECISION,
  "relevant_text"   TEXT,
  "street_address1" TEXT,
  "street_address2" TEXT,
  "city"            TEXT,
  "region"          TEXT,
  "region_code"     TEXT,
  "country"         TEXT,
  "created_at"      TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT "locations_one_owner" CHECK (("template_id" IS NULL) <> ("pass_id" IS NULL))
);
CREATE INDEX "locations_template_id_idx" ON "locations"("template_id");
CREATE INDEX "locations_pass_id_idx" ON "locations"("pass_id");

CREATE TABLE "tickets" (
  "id"           SERIAL PRIMARY KEY,
  "account_id"   INTEGER NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "kind"         TEXT NOT NULL,
  "status"       TEXT NOT NULL DEFAULT 'pending',
  "template_id"  INTEGER,
  "pass_id"      INTEGER,
  "payload"      JSONB NOT NULL DEFAULT '{}',
  "cursor"       INTEGER NOT NULL DEFAULT 0,
  "total"        INTEGER NOT NULL DEFAULT 0,
  "done"         INTEGER NOT NULL DEFAULT 0,
  "errors"       JSONB NOT NULL DEFAULT '[]',
  "heartbeat_at" TIMESTAMPTZ(3),
  "created_at"   TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at"   TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "finished_at"  TIMESTAMPTZ(3)
);
CREATE INDEX "tickets_account_id_idx" ON "tickets"("account_id");
CREATE INDEX "tickets_status_idx" ON "tickets"("status") WHERE "status" IN ('pending', 'running');
