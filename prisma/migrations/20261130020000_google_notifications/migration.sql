-- When each Google object was last sent notifying messages: Google allows three a day per pass.
ALTER TABLE "google_objects" ADD COLUMN "notified_at" TIMESTAMPTZ(3)[] NOT NULL DEFAULT '{}';
