-- A pass that changes status moves one count between two counter rows of its connection's shard. The rows were
-- taken old status first, then new: an install (not_been_installed → installed) and an uninstall (installed →
-- uninstalled) and a reinstall (uninstalled → installed) on connections sharing a shard could each hold one row the
-- next wanted, a deadlock. Every move now takes its two rows in one order, template then status.
CREATE OR REPLACE FUNCTION "count_moved_pass"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO template_pass_counts (template_id, status, shard, passes)
  SELECT m.template_id, m.status, pg_backend_pid() % 16, m.delta
    FROM (VALUES (OLD.template_id, OLD.status, -1), (NEW.template_id, NEW.status, 1)) AS m(template_id, status, delta)
   ORDER BY m.template_id, m.status
  ON CONFLICT (template_id, status, shard) DO UPDATE SET passes = template_pass_counts.passes + EXCLUDED.passes;
  RETURN NULL;
END;
$$;
