-- One append-only record of what happened to each pass, written in the transaction that made it happen.
-- No foreign key to passes: a deleted pass keeps its history (its last event is "deleted").
CREATE TABLE "pass_events" (
  "id"          BIGSERIAL PRIMARY KEY,
  "pass_id"     INTEGER NOT NULL,
  "account_id"  INTEGER NOT NULL,
  "template_id" INTEGER NOT NULL,
  "kind"        TEXT NOT NULL CHECK ("kind" IN ('created', 'updated', 'installed', 'uninstalled', 'personalized',
                                                'voided', 'expired', 'notified', 'deleted')),
  "version"     INTEGER,
  "platform"    TEXT,
  "device"      TEXT,
  -- The writing transaction: consumers read whole, committed transactions (see docs/jobs.md).
  "tx"          BIGINT NOT NULL DEFAULT txid_current(),
  "at"          TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
-- Few indexes: every pass change writes here. Consumers read by (tx, id), a pass's history by (pass_id, id), and
-- pruning by time through a BRIN index (rows arrive in time order, so it stays tiny and nearly free to keep).
CREATE INDEX "pass_events_pass_idx" ON "pass_events" ("pass_id", "id");
CREATE INDEX "pass_events_tx_idx" ON "pass_events" ("tx", "id");
CREATE INDEX "pass_events_at_idx" ON "pass_events" USING brin ("at");
