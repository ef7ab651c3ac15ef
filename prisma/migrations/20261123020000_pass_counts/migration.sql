-- Pass counts per template and install status, kept exact by triggers, so that paged pass lists answer their
-- `count` without counting hundreds of thousands of rows on every request.

CREATE TABLE "template_pass_counts" (
  "template_id" INTEGER NOT NULL REFERENCES "templates"("id") ON DELETE CASCADE,
  "status"      TEXT NOT NULL,
  "passes"      BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY ("template_id", "status")
);

CREATE FUNCTION "count_template_passes"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE template_pass_counts SET passes = passes - 1
     WHERE template_id = OLD.template_id AND status = OLD.status;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO template_pass_counts (template_id, status, passes) VALUES (NEW.template_id, NEW.status, 1)
    ON CONFLICT (template_id, status) DO UPDATE SET passes = template_pass_counts.passes + 1;
  END IF;
  RETURN NULL;
END;
$$;

-- Statement-level for bulk inserts would be faster, but row-level keeps the logic obvious and exact.
CREATE TRIGGER "passes_count_insert" AFTER INSERT ON "passes" FOR EACH ROW EXECUTE FUNCTION count_template_passes();
CREATE TRIGGER "passes_count_delete" AFTER DELETE ON "passes" FOR EACH ROW EXECUTE FUNCTION count_template_passes();
CREATE TRIGGER "passes_count_update" AFTER UPDATE OF "status", "template_id" ON "passes"
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.template_id IS DISTINCT FROM NEW.template_id)
  EXECUTE FUNCTION count_template_passes();

INSERT INTO template_pass_counts (template_id, status, passes)
SELECT template_id, status, count(*) FROM passes GROUP BY template_id, status;
