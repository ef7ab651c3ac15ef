-- Scale out: job workers' heartbeats (a dead worker's jobs are released within seconds), where a running job got
-- to (a released job resumes there), a per-issuer pacing of Google Wallet API calls shared by every process, when
-- a Google pass was first handed out (its object is created only then), and signed bundles kept per pass version.

-- One row per graphile-worker worker id, refreshed every few seconds by the process that runs it.
CREATE TABLE "worker_heartbeats" (
  "worker_id" TEXT PRIMARY KEY,
  "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

-- A job's progress per subscriber (e.g. APNs: the last push target done, and targets that failed), kept until the
-- job succeeds.
CREATE TABLE "job_checkpoints" (
  "job_id" BIGINT NOT NULL,
  "subscriber" TEXT NOT NULL,
  "position" TEXT NOT NULL,
  "failed" TEXT[] NOT NULL DEFAULT '{}',
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  PRIMARY KEY ("job_id", "subscriber")
);

-- Google Wallet API pacing: the next free call slot of each issuer (a reservation moves it on by 1/rate).
CREATE TABLE "google_rate_limits" (
  "issuer" TEXT PRIMARY KEY,
  "next_at" TIMESTAMPTZ(3) NOT NULL
);

-- A Google object is made once its pass leaves the server (a save link, an adaptive link, a download).
ALTER TABLE "google_objects" ADD COLUMN "handed_out_at" TIMESTAMPTZ(3);
-- Objects synced before this column existed had been handed out (every pass was synced on creation).
UPDATE "google_objects" SET "handed_out_at" = COALESCE("synced_at", now());

-- The signed .pkpass of a pass, under a digest of everything that went into it (the signing identity, pass.json,
-- the images): a device's fetch of an unchanged pass is served from here instead of being signed again.
CREATE TABLE "signed_bundles" (
  "pass_id" INTEGER PRIMARY KEY REFERENCES "passes"("id") ON DELETE CASCADE,
  "version" INTEGER NOT NULL,
  "digest" TEXT NOT NULL,
  "bytes" BYTEA NOT NULL,
  "signed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
