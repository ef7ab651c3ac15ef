-- Pass counts per template and install status, kept exact by triggers, so that paged pass lists answer their
-- `count` without counting hundreds of thousands of rows on every request.

CREATE TABLE "template_pass_counts" (
  "template_id" INTEGER NOT NULL REFERENCES "templates"("id") ON DELETE CASCADE,
  "status"      TEXT NOT NULL,
  "passes"      BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY ("template_id", "status")
);

-- Inserts and deletes are counted per statement from the transition table (one upsert per template and status,
-- however many rows a statement touches); a status change is counted per row (it is always a single-row update).
CREATE FUNCTION "count_inserted_passes"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO template_pass_counts (template_id, status, passes)
  SELECT template_id, status, count(*) FROM inserted_passes GROUP BY template_id, status
  ON CONFLICT (template_id, status) DO UPDATE SET passes = template_pass_counts.passes + EXCLUDED.passes;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "count_deleted_passes"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE template_pass_counts c SET passes = c.passes - d.n
    FROM (SELECT template_id, status, count(*) AS n FROM deleted_passes GROUP BY template_id, status) d
   WHERE c.template_id = d.template_id AND c.status = d.status;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "count_moved_pass"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE template_pass_counts SET passes = passes - 1 WHERE template_id = OLD.template_id AND status = OLD.status;
  INSERT INTO template_pass_counts (template_id, status, passes) VALUES (NEW.template_id, NEW.status, 1)
  ON CONFLICT (template_id, status) DO UPDATE SET passes = template_pass_counts.passes + 1;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "passes_count_insert" AFTER INSERT ON "passes" REFERENCING NEW TABLE AS inserted_passes
  FOR EACH STATEMENT EXECUTE FUNCTION count_inserted_passes();
CREATE TRIGGER "passes_count_delete" AFTER DELETE ON "passes" REFERENCING OLD TABLE AS deleted_passes
  FOR EACH STATEMENT EXECUTE FUNCTION count_deleted_passes();
CREATE TRIGGER "passes_count_update" AFTER UPDATE OF "status", "template_id" ON "passes"
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.template_id IS DISTINCT FROM NEW.template_id)
  EXECUTE FUNCTION count_moved_pass();

INSERT INTO template_pass_counts (template_id, status, passes)
SELECT template_id, status, count(*) FROM passes GROUP BY template_id, status;
