-- Google Wallet: issuer credentials, what was last sent to Google for each class and object, callback nonces.

-- A Google Wallet issuer: issuer id and service-account key (encrypted with WALLET_ENCRYPTION_KEY). One per
-- project, plus the generated development signing key (project_id NULL, kind 'development').
CREATE TABLE "google_credentials" (
  "id"                        SERIAL PRIMARY KEY,
  "project_id"                INTEGER REFERENCES "projects"("id") ON DELETE CASCADE,
  "kind"                      TEXT NOT NULL,
  "issuer_id"                 TEXT NOT NULL,
  "client_email"              TEXT NOT NULL,
  "service_account_encrypted" BYTEA NOT NULL,
  "created_at"                TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at"                TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX "google_credentials_project_id_key" ON "google_credentials"("project_id");
CREATE UNIQUE INDEX "google_credentials_development_key" ON "google_credentials"("kind") WHERE "kind" = 'development';

-- The class of a Google template as last sent: its id, a hash of the body, and the fields that live on objects.
CREATE TABLE "google_classes" (
  "template_id"   INTEGER PRIMARY KEY REFERENCES "templates"("id") ON DELETE CASCADE,
  "class_id"      TEXT NOT NULL,
  "body_hash"     TEXT,
  "object_fields" TEXT[] NOT NULL DEFAULT '{}',
  "values"        JSONB NOT NULL DEFAULT '{}',
  "synced_at"     TIMESTAMPTZ(3)
);

-- The object of a Google pass as last sent: a hash of the body and its field values (for change messages).
CREATE TABLE "google_objects" (
  "pass_id"   INTEGER PRIMARY KEY REFERENCES "passes"("id") ON DELETE CASCADE,
  "object_id" TEXT NOT NULL,
  "body_hash" TEXT,
  "values"    JSONB NOT NULL DEFAULT '{}',
  "synced_at" TIMESTAMPTZ(3)
);
CREATE UNIQUE INDEX "google_objects_object_id_key" ON "google_objects"("object_id");

-- Callback nonces already processed (Google may deliver a callback more than once).
CREATE TABLE "google_callback_nonces" (
  "nonce"       TEXT PRIMARY KEY,
  "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
