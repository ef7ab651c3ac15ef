// The template header: the summary of a template that project responses and template lists carry.

import { templateTypeName } from "./template-types.js";
import { VENDOR_IDS, type Vendor } from "./vendors.js";

export interface TemplateHeaderSource {
  id: number;
  externalId: string | null;
  name: string;
  description: string;
  vendor: string;
  type: string;
  disabled: boolean;
  expiryDuration: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TemplateHeader {
  id: number;
  externalId?: string;
  name: string;
  description: string;
  vendor: string;
  vendorId: number;
  type: string;
  projectId: number;
  projectName: string;
  projectType: string;
  deleted: "False";
  disabled: "True" | "False";
  expiryDuration?: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * Maps a stored template to the Airship template header (string booleans as the reference shows them). Keys
 * without a value are left out, never sent as null: PassTools-era clients read every key present as a string.
 */
export function templateHeaderOf(
  template: TemplateHeaderSource,
  project: { id: number; name: string; projectType: string },
): TemplateHeader {
  const { expiryDuration } = template;
  return {
    id: template.id,
    ...(template.externalId === null ? {} : { externalId: template.externalId }),
    name: template.name,
    description: template.description,
    vendor: template.vendor,
    vendorId: VENDOR_IDS[template.vendor as Vendor] ?? 0,
    type: templateTypeName(template.type),
    projectId: project.id,
    projectName: project.name,
    projectType: project.projectType,
    deleted: "False",
    disabled: template.disabled ? "True" : "False",
    ...(expiryDuration === null ? {} : { expiryDuration }),
    createdAt: template.createdAt.toISOString(),
    updatedAt: template.updatedAt.toISOString(),
  };
}
