-- Pass groups (Airship's passGroups): named sets of a project's flights or events, so one request changes every
-- flight (event) of a group. A name belongs to a flight or event once; removing the flight removes its names.
CREATE TABLE "pass_group_members" (
  "group_id" INTEGER NOT NULL REFERENCES "link_groups"("id") ON DELETE CASCADE,
  "name"     TEXT NOT NULL,
  PRIMARY KEY ("group_id", "name")
);
CREATE INDEX "pass_group_members_name_idx" ON "pass_group_members" ("name", "group_id");
