-- Daily pass activity per template (UTC days): created, installed and uninstalled events counted by the
-- statistics consumer of the pass-event log, so activity reports read a few rows per day, not every event.
CREATE TABLE "daily_activity" (
  "template_id" INTEGER NOT NULL REFERENCES "templates"("id") ON DELETE CASCADE,
  "day" DATE NOT NULL,
  "kind" TEXT NOT NULL,
  "count" BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY ("template_id", "day", "kind")
);
