// The request and response schemas of /v1/template (the OpenAPI document is built from them).
import { Type } from "@sinclair/typebox";
import { PaginationInfo } from "../../core/pagination.js";
import { TemplateHeaderSchema } from "../projects/schemas.js";
import { AnyJson, Described } from "../schema-kit.js";

const FieldSpecs = Type.Record(Type.String(), Type.Unknown(), {
  description: "Name → {value, label, changeMessage, fieldType, formatType, order, required, hideEmpty, …}",
});
const Module = Type.Optional(Type.Unknown({ description: "A Google module: field name → {label, value, …}" }));

/** An Apple ({headers, fields}) or Google (module objects) template; a full replace on PUT. */
export const TemplateBody = Described(
  {
    name: Type.Optional(Type.Unknown({ description: "Required on create: a string of 1–255 characters" })),
    description: Type.Optional(Type.Unknown({ description: "A string of at most 4,000 characters" })),
    type: Type.Optional(
      Type.Unknown({ description: "boardingPass, coupon, eventTicket, generic, storeCard (or display names)" }),
    ),
    vendor: Type.Optional(Type.Unknown({ description: "Apple or Google" })),
    vendorId: Type.Optional(Type.Unknown({ description: "1 (Apple) or 2 (Google)" })),
    projectType: Type.Optional(Type.Unknown()),
    headers: Type.Optional(Type.Unknown({ description: FieldSpecs.description })),
    fields: Type.Optional(Type.Unknown({ description: FieldSpecs.description })),
    beacons: Type.Optional(Type.Unknown({ description: "Apple only: at most 10 {uuid, major, minor, relevantText}" })),
    locations: Type.Optional(Type.Unknown({ description: "At most 10 {latitude, longitude, relevantText, …}" })),
    expiryDuration: Type.Optional(Type.Unknown({ description: "Days" })),
    expiryInfo: Type.Optional(Type.Unknown({ description: "{expiryDuration}" })),
    titleModule: Module,
    infoModuleData: Module,
    textModulesData: Module,
    linksModuleData: Module,
    imageModulesData: Module,
    pointsModule: Module,
    messageModule: Module,
    notAssigned: Module,
  },
  "See the Airship Wallet API reference: Templates",
);

export const TemplateIdResponse = Type.Object({ templateId: Type.Integer() });

export const TemplateResponse = Type.Object({
  id: Type.Integer(),
  externalId: Type.Optional(Type.String()),
  fieldsModel: AnyJson("Apple {headers, fields, beacons, locations} or Google {headers, <modules>}"),
  templateHeader: TemplateHeaderSchema,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const TemplateHeadersResponse = Type.Object({
  count: Type.Integer(),
  pagination: PaginationInfo,
  templateHeaders: Type.Array(TemplateHeaderSchema),
});

export const TemplateDeleteResponse = Type.Object({ status: Type.String(), TemplateID: Type.Integer() });

export const TemplateLocationsResponse = Type.Array(
  Type.Object({ locationId: Type.Integer(), fieldId: Type.Integer(), value: AnyJson("The stored location") }),
);

export const TemplateLocationDeleteResponse = Type.Object({ status: Type.String(), locationId: Type.Integer() });

export const PersonalizationBody = Described({
  requiredPersonalizationFields: Type.Optional(
    Type.Unknown({ description: "Required: some of name, postalCode, emailAddress, phoneNumber" }),
  ),
  description: Type.Optional(Type.Unknown({ description: "Required: shown on Wallet's sign-up sheet" })),
  termsAndConditions: Type.Optional(Type.Unknown({ description: "A string" })),
});

export const PersonalizationResponse = Described({
  requiredPersonalizationFields: Type.Array(Type.String()),
  description: Type.Optional(Type.String()),
  termsAndConditions: Type.Optional(Type.String()),
});

export const BulkUpdateBody = Described(
  {
    headers: Type.Optional(Type.Unknown({ description: "Header name → {value, label, changeMessage}" })),
    fields: Type.Optional(Type.Unknown({ description: "Field name → {value, label, changeMessage}" })),
  },
  "The values every pass of the template takes",
);
