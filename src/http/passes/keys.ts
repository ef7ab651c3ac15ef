// How a /v1/pass path names its pass: by id, by external id, or by template and external id.
import { Type } from "@sinclair/typebox";
import { ExternalIdParam, NumericIdParam, numericId } from "../../core/ids.js";

export const ById = Type.Object({ id: NumericIdParam });
export const ByExternal = Type.Object({ externalId: ExternalIdParam });
export const ByTemplateAndExternal = Type.Object({ templateId: NumericIdParam, externalId: ExternalIdParam });

export const templatedKey = (p: { templateId: string; externalId: string }) => ({
  externalId: p.externalId,
  templateId: numericId(p.templateId, "Template"),
});

/** The pass a path names: by id, by external id, or by template and external id. */
export const passKeyOf = (params: unknown) => {
  const p = params as { id?: string; externalId?: string; templateId?: string };
  if (p.templateId !== undefined) return templatedKey({ templateId: p.templateId, externalId: p.externalId! });
  return p.externalId !== undefined ? { externalId: p.externalId } : { id: numericId(p.id!, "Pass") };
};

/** A pass sub-resource's three path forms: by id, by external id, by template and external id (with its owner). */
export const passPaths = (suffix: string) =>
  [
    [`/pass/:id/${suffix}`, ById, "pass", ""],
    [`/pass/id/:externalId/${suffix}`, ByExternal, "pass", " by external id"],
    [
      `/pass/template/:templateId/id/:externalId/${suffix}`,
      ByTemplateAndExternal,
      "template",
      " by template and external id",
    ],
  ] as const;
