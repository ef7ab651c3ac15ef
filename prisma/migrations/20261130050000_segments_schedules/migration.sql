-- Segments (named tag criteria of a project), schedules (a pass update at a set time), and the passes an
-- audience update still has to reach (its audience resolved once, when it starts).
CREATE TABLE "segments" (
  "id" UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  "account_id" INTEGER NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "project_id" INTEGER NOT NULL REFERENCES "projects"("id") ON DELETE CASCADE,
  "display_name" TEXT,
  "criteria" JSONB NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE INDEX "segments_project_idx" ON "segments" ("project_id", "created_at");

CREATE TABLE "schedules" (
  "id" UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  "account_id" INTEGER NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "project_id" INTEGER NOT NULL REFERENCES "projects"("id") ON DELETE CASCADE,
  "name" TEXT,
  "scheduled_time" TIMESTAMPTZ(3) NOT NULL,
  -- {"audience": …, "pass": {"fields", "headers"}, "notification": {"value", "label"}} as the caller sent it
  "update" JSONB NOT NULL,
  -- pending → done (its ticket started) | failed (its audience or values could not be used at the time)
  "state" TEXT NOT NULL DEFAULT 'pending',
  "ticket_id" INTEGER,
  -- When it started (after scheduled_time when no worker ran at that moment: how late, it is read from these two).
  "ran_at" TIMESTAMPTZ(3),
  "error" TEXT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE INDEX "schedules_project_idx" ON "schedules" ("project_id", "scheduled_time");
CREATE INDEX "schedules_due_idx" ON "schedules" ("scheduled_time") WHERE "state" = 'pending';

CREATE TABLE "ticket_passes" (
  "ticket_id" INTEGER NOT NULL REFERENCES "tickets"("id") ON DELETE CASCADE,
  "pass_id" INTEGER NOT NULL,
  PRIMARY KEY ("ticket_id", "pass_id")
);

-- Segment criteria read each tag's passes: with the pass id in the index, that is an index-only range scan
-- (the single-column index this replaces is its prefix).
CREATE INDEX "pass_tags_tag_pass_idx" ON "pass_tags" ("tag_id", "pass_id");
DROP INDEX "pass_tags_tag_id_idx";
