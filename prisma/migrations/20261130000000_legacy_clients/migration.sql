-- For clients of the API's older forms: the account's default project and the public id of Apple certificates.

-- The default project holds templates created without a project; at most one per account, made on first use and
-- listed like any other project.
ALTER TABLE "projects" ADD COLUMN "is_default" BOOLEAN NOT NULL DEFAULT false;
CREATE UNIQUE INDEX "projects_one_default_per_account" ON "projects" ("account_id") WHERE "is_default";

-- The public id of an imported Apple certificate (projects answer it as appleCertificateId).
ALTER TABLE "apple_identities" ADD COLUMN "certificate_id" UUID NOT NULL DEFAULT gen_random_uuid();
