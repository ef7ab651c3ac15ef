-- Project callbacks (where a project's install, uninstall and personalize events are POSTed) and the outbound
-- delivery queue every callback and webhook goes through.
CREATE TABLE "project_callbacks" (
  "project_id" INTEGER PRIMARY KEY REFERENCES "projects"("id") ON DELETE CASCADE,
  "base_url" TEXT NOT NULL,
  -- The configured headers, JSON sealed under WALLET_ENCRYPTION_KEY (their values are secrets).
  "headers_sealed" BYTEA NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

CREATE TABLE "deliveries" (
  "id" BIGSERIAL PRIMARY KEY,
  -- Stable across retries and replays (X-Wallet-Event-Id): receivers de-duplicate on it.
  "event_id" UUID NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  "account_id" INTEGER NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "project_id" INTEGER REFERENCES "projects"("id") ON DELETE CASCADE,
  "pass_event_id" BIGINT,
  "topic" TEXT NOT NULL,
  "url" TEXT NOT NULL,
  "body" JSONB NOT NULL,
  -- pending → delivered | dead (dead letters stay until replayed or pruned)
  "state" TEXT NOT NULL DEFAULT 'pending',
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "give_up_at" TIMESTAMPTZ(3) NOT NULL,
  "last_status" INTEGER,
  "last_error" TEXT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "finished_at" TIMESTAMPTZ(3)
);
CREATE UNIQUE INDEX "deliveries_pass_event_idx" ON "deliveries" ("pass_event_id", "topic") WHERE "pass_event_id" IS NOT NULL;
CREATE INDEX "deliveries_due_idx" ON "deliveries" ("next_attempt_at") WHERE "state" = 'pending';
CREATE INDEX "deliveries_state_idx" ON "deliveries" ("state", "id");

-- How far each consumer of the pass-event log has read.
CREATE TABLE "event_cursors" (
  "consumer" TEXT PRIMARY KEY,
  "position" BIGINT NOT NULL DEFAULT 0
);
