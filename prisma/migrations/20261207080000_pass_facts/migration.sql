-- The one read model of a pass with what its template decides about it (its project, its wallet, its design):
-- the join every store wrote for itself. A plain view: Postgres inlines it, so a read costs what the join did.
CREATE VIEW "pass_facts" AS
SELECT p.id, p.account_id, p.template_id, p.serial_number, p.external_id, p.status, p.platform, p.version,
       p.authentication_token, p.personalization, p.adaptive_link_id, p.installed_at, p.updated_at,
       t.project_id, t.vendor, t.design AS template_design
  FROM passes p JOIN templates t ON t.id = p.template_id;
