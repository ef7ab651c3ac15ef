-- Badge webhook endpoints (Standard Webhooks): where an account's pass.activated and pass.deactivated events are
-- POSTed, signed with the endpoint's secret. Their deliveries go through the same outbound queue as callbacks.
CREATE TABLE "webhook_endpoints" (
  "id" TEXT PRIMARY KEY,
  "account_id" INTEGER NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "url" TEXT NOT NULL,
  "enabled_topics" TEXT[] NOT NULL,
  "enabled" BOOLEAN NOT NULL DEFAULT true,
  -- Why the server turned the endpoint off (its receiver answered 410 Gone); cleared when it is enabled again.
  "disabled_reason" TEXT,
  -- The signing secret (whsec_…), sealed under WALLET_ENCRYPTION_KEY.
  "secret_sealed" BYTEA NOT NULL,
  -- After a rotation the previous secret also signs, for a day, so receivers can switch without losing events.
  "previous_secret_sealed" BYTEA,
  "previous_secret_expires_at" TIMESTAMPTZ(3),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE INDEX "webhook_endpoints_account_idx" ON "webhook_endpoints" ("account_id", "created_at");

-- A delivery to a webhook endpoint names it (a callback's names none); one event reaches each endpoint once.
ALTER TABLE "deliveries" ADD COLUMN "endpoint_id" TEXT REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE;
DROP INDEX "deliveries_pass_event_idx";
CREATE UNIQUE INDEX "deliveries_pass_event_idx" ON "deliveries" ("pass_event_id", "topic", COALESCE("endpoint_id", ''))
  WHERE "pass_event_id" IS NOT NULL;

-- Webhook events join pass events to Badge passes by the pass they wrap.
CREATE INDEX "badge_passes_pass_idx" ON "badge_passes" ("pass_id");
