-- A read-only key (or a session or token of one) may only read: the API refuses its writes.
ALTER TABLE "api_keys" ADD COLUMN "read_only" BOOLEAN NOT NULL DEFAULT false;

-- The web console's sessions: the cookie holds a random token, this table its SHA-256 (a leaked table opens no
-- session). A session stands for the API key it signed in with, limited to the scopes chosen at sign-in.
CREATE TABLE "console_sessions" (
  "token_hash" TEXT PRIMARY KEY,
  "api_key_id" INTEGER NOT NULL REFERENCES "api_keys"("id") ON DELETE CASCADE,
  "scopes"     TEXT[] NOT NULL DEFAULT '{}',
  "csrf_token" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "expires_at" TIMESTAMPTZ(3) NOT NULL
);
CREATE INDEX "console_sessions_api_key_id_idx" ON "console_sessions"("api_key_id");
CREATE INDEX "console_sessions_expires_at_idx" ON "console_sessions"("expires_at");
