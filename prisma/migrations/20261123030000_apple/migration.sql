-- Apple Wallet: images, signing identities, per-pass authentication tokens, device registrations.

-- Image bytes (validated PNG), deduplicated by content hash. Templates and passes refer to them by hash.
CREATE TABLE "images" (
  "sha256"     TEXT PRIMARY KEY,
  "data"       BYTEA NOT NULL,
  "width"      INTEGER NOT NULL,
  "height"     INTEGER NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

-- The pass's own images (header name → sha256), over its template's.
ALTER TABLE "passes" ADD COLUMN "images" JSONB NOT NULL DEFAULT '{}';
-- The PassKit web service secret of each pass: random (two v4 UUIDs' worth), fixed for the pass's life.
ALTER TABLE "passes" ADD COLUMN "authentication_token" TEXT NOT NULL
  DEFAULT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
-- Personalization info a holder gave through Wallet (null until then).
ALTER TABLE "passes" ADD COLUMN "personalization" JSONB;

-- A pass type certificate and its private key (encrypted with WALLET_ENCRYPTION_KEY). One per project, plus the
-- generated development identity (project_id NULL, kind 'development').
CREATE TABLE "apple_identities" (
  "id"                    SERIAL PRIMARY KEY,
  "project_id"            INTEGER REFERENCES "projects"("id") ON DELETE CASCADE,
  "kind"                  TEXT NOT NULL,
  "pass_type_identifier"  TEXT NOT NULL,
  "team_identifier"       TEXT NOT NULL,
  "organization_name"     TEXT NOT NULL,
  "certificate_pem"       TEXT NOT NULL,
  "chain_pem"             TEXT,
  "private_key_encrypted" BYTEA NOT NULL,
  "not_after"             TIMESTAMPTZ(3) NOT NULL,
  "created_at"            TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at"            TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX "apple_identities_project_id_key" ON "apple_identities"("project_id");
CREATE UNIQUE INDEX "apple_identities_development_key" ON "apple_identities"("kind") WHERE "kind" = 'development';

-- A device's registration for updates of one pass (PassKit web service), with the device's push token.
CREATE TABLE "apple_registrations" (
  "device_library_identifier" TEXT NOT NULL,
  "pass_id"                   INTEGER NOT NULL REFERENCES "passes"("id") ON DELETE CASCADE,
  "pass_type_identifier"      TEXT NOT NULL,
  "push_token"                TEXT NOT NULL,
  "created_at"                TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  PRIMARY KEY ("device_library_identifier", "pass_id")
);
CREATE INDEX "apple_registrations_device_pass_type_idx"
  ON "apple_registrations"("device_library_identifier", "pass_type_identifier");
CREATE INDEX "apple_registrations_pass_id_idx" ON "apple_registrations"("pass_id");
CREATE INDEX "apple_registrations_push_token_idx" ON "apple_registrations"("push_token");
