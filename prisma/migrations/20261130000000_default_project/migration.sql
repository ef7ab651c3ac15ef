-- The account's default project: where templates created without a project (PassTools-era clients) go.
-- At most one per account; it is made on first use and listed like any other project.
ALTER TABLE "projects" ADD COLUMN "is_default" BOOLEAN NOT NULL DEFAULT false;
CREATE UNIQUE INDEX "projects_one_default_per_account" ON "projects" ("account_id") WHERE "is_default";
