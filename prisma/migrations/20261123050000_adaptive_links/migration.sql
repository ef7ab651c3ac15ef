-- Adaptive links (one URL → the right pass for each phone), their flights and events, and Badge users and passes.

-- A flight (of boarding passes) or an event (of tickets): its fields reach every passenger's or attendee's pass.
CREATE TABLE "link_groups" (
  "id"          SERIAL PRIMARY KEY,
  "project_id"  INTEGER NOT NULL REFERENCES "projects"("id") ON DELETE CASCADE,
  "kind"        TEXT NOT NULL CHECK ("kind" IN ('flight', 'event')),
  "external_id" TEXT,
  "fields"      JSONB NOT NULL DEFAULT '{}',
  "created_at"  TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at"  TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX "link_groups_project_id_kind_external_id_key" ON "link_groups"("project_id", "kind", "external_id");

CREATE TABLE "adaptive_links" (
  "id"                   TEXT PRIMARY KEY,
  "account_id"           INTEGER NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "project_id"           INTEGER NOT NULL REFERENCES "projects"("id") ON DELETE CASCADE,
  "external_id"          TEXT,
  "ios_template_id"      INTEGER REFERENCES "templates"("id") ON DELETE SET NULL,
  "android_template_id"  INTEGER REFERENCES "templates"("id") ON DELETE SET NULL,
  "ios_pass_link_id"     UUID NOT NULL,
  "android_pass_link_id" UUID NOT NULL,
  "payload"              JSONB NOT NULL DEFAULT '{}',
  "locations"            JSONB NOT NULL DEFAULT '[]',
  "landing_page_url"     TEXT,
  -- Passes the link may still hand out; NULL = unlimited.
  "available_passes"     INTEGER,
  "is_personalized"      BOOLEAN NOT NULL DEFAULT false,
  "expiration_date"      TIMESTAMPTZ(3),
  "ttl_in_days"          INTEGER,
  "parameter_encoding"   TEXT,
  "location_radius"      DOUBLE PRECISION,
  "max_result_locations" INTEGER,
  "flight_id"            INTEGER REFERENCES "link_groups"("id") ON DELETE SET NULL,
  "event_id"             INTEGER REFERENCES "link_groups"("id") ON DELETE SET NULL,
  -- The pass a non-personalized link hands out again, per platform (made by the first request).
  "ios_pass_id"          INTEGER REFERENCES "passes"("id") ON DELETE SET NULL,
  "android_pass_id"      INTEGER REFERENCES "passes"("id") ON DELETE SET NULL,
  "created_at"           TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at"           TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX "adaptive_links_project_id_external_id_key" ON "adaptive_links"("project_id", "external_id");
CREATE INDEX "adaptive_links_account_id_created_at_idx" ON "adaptive_links"("account_id", "created_at", "id");
CREATE INDEX "adaptive_links_ios_pass_link_id_idx" ON "adaptive_links"("ios_pass_link_id");
CREATE INDEX "adaptive_links_android_pass_link_id_idx" ON "adaptive_links"("android_pass_link_id");
CREATE INDEX "adaptive_links_flight_id_idx" ON "adaptive_links"("flight_id");
CREATE INDEX "adaptive_links_event_id_idx" ON "adaptive_links"("event_id");

ALTER TABLE "passes" ADD COLUMN "adaptive_link_id" TEXT REFERENCES "adaptive_links"("id") ON DELETE SET NULL;
CREATE INDEX "passes_adaptive_link_id_idx" ON "passes"("adaptive_link_id", "id");

-- Badge: users (attributes shared by all their passes) and passes (their own attributes).
CREATE TABLE "badge_users" (
  "account_id" INTEGER NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "user_id"    TEXT NOT NULL,
  "email"      TEXT,
  "attributes" JSONB NOT NULL DEFAULT '{}',
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  PRIMARY KEY ("account_id", "user_id")
);

CREATE TABLE "badge_passes" (
  "account_id"       INTEGER NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "badge_pass_id"    TEXT NOT NULL,
  "user_id"          TEXT NOT NULL,
  "template_id"      INTEGER NOT NULL REFERENCES "templates"("id") ON DELETE CASCADE,
  "pass_id"          INTEGER NOT NULL REFERENCES "passes"("id") ON DELETE CASCADE,
  "adaptive_link_id" TEXT NOT NULL REFERENCES "adaptive_links"("id") ON DELETE CASCADE,
  "attributes"       JSONB NOT NULL DEFAULT '{}',
  "created_at"       TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at"       TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  PRIMARY KEY ("account_id", "badge_pass_id")
);
CREATE INDEX "badge_passes_user_idx" ON "badge_passes"("account_id", "user_id");
