-- Scoped access: an API key may be limited to OAuth scopes and to one project; OAuth access tokens are signed
-- with server keys (rotated by the CLI) so they verify without a database read.
-- Empty: every scope (as keys made before scopes existed).
ALTER TABLE "api_keys" ADD COLUMN "scopes" TEXT[] NOT NULL DEFAULT '{}';
ALTER TABLE "api_keys" ADD COLUMN "project_id" INTEGER REFERENCES "projects"("id") ON DELETE CASCADE;

CREATE TABLE "token_signing_keys" (
  "kid" TEXT PRIMARY KEY,
  -- 32 random bytes for HMAC-SHA256, sealed under WALLET_ENCRYPTION_KEY.
  "secret_sealed" BYTEA NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  -- A retired key verifies nothing (tokens it signed stop working).
  "retired_at" TIMESTAMPTZ(3)
);
