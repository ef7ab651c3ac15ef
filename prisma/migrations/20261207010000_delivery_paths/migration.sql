-- A project callback's delivery keeps the path it is owed at (/v1/pass/install, …) apart from the callback's base
-- URL: each attempt goes to the callback's base URL and headers as configured at that attempt, read together, so a
-- callback moved to a new URL with a new secret never has the new secret sent to the old URL (nor the reverse).
ALTER TABLE "deliveries" ADD COLUMN "path" TEXT;
UPDATE "deliveries" SET "path" = substring("url" from '/v1/pass/(?:install|uninstall|[0-9]+/personalize)$')
 WHERE "endpoint_id" IS NULL;
