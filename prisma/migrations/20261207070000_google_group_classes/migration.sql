-- A flight's (event's) passengers on Google share one class per flight and template: the flight's values live on
-- it, so a flight change is one class PATCH. Each row is that class as last sent.
CREATE TABLE "google_group_classes" (
  "template_id" INTEGER NOT NULL REFERENCES "templates"("id") ON DELETE CASCADE,
  "group_id"    INTEGER NOT NULL REFERENCES "link_groups"("id") ON DELETE CASCADE,
  "class_id"    TEXT NOT NULL,
  "body_hash"   TEXT,
  "values"      JSONB NOT NULL DEFAULT '{}',
  "synced_at"   TIMESTAMPTZ(3),
  PRIMARY KEY ("template_id", "group_id")
);
CREATE INDEX "google_group_classes_group_id_idx" ON "google_group_classes"("group_id");

-- The multi-pass link grouping last set on an object, so a later visit to the same link sends nothing.
ALTER TABLE "google_objects" ADD COLUMN "grouping_id" TEXT;
