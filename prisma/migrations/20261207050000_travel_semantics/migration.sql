-- A flight's or event's explicit Apple semantic tags (its `semantics` object), over those its fields fill.
ALTER TABLE "link_groups" ADD COLUMN "semantics" JSONB;
