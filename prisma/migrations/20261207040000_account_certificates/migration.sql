-- Airship's /v1/certificates: Apple certificates of an account (kind 'account'), kept beside the projects' own and
-- sealed the same way (so a key rotation re-seals them too). The enabled default one signs the passes of the
-- account's projects that have no certificate of their own. One per pass type and team: a new upload renews it.
ALTER TABLE "apple_identities" ADD COLUMN "account_id" INTEGER REFERENCES "accounts"("id") ON DELETE CASCADE;
ALTER TABLE "apple_identities" ADD COLUMN "name" TEXT;
ALTER TABLE "apple_identities" ADD COLUMN "comment" TEXT;
ALTER TABLE "apple_identities" ADD COLUMN "enabled" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "apple_identities" ADD COLUMN "is_default" BOOLEAN NOT NULL DEFAULT false;
CREATE UNIQUE INDEX "apple_identities_account_base_key" ON "apple_identities" ("account_id", "pass_type_identifier", "team_identifier")
  WHERE "kind" = 'account';
CREATE UNIQUE INDEX "apple_identities_account_default_key" ON "apple_identities" ("account_id")
  WHERE "kind" = 'account' AND "is_default";
