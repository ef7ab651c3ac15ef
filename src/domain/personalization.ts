// Apple Wallet personalization requirements of a loyalty template: what the holder is asked for at sign-up.
import { assertNoProblems, InvalidInput } from "./invalid-input.js";
import { isObject } from "./values.js";

const MAX_TEXT = 10_000;

export interface Personalization {
  requiredPersonalizationFields: string[];
  description?: string;
  termsAndConditions?: string;
}

/** Parses a personalization request (Apple loyalty templates). */
export function parsePersonalization(body: unknown): Personalization {
  const allowed = ["name", "postalCode", "emailAddress", "phoneNumber"];
  if (!isObject(body)) throw new InvalidInput(["The personalization request must be a JSON object"]);
  const problems: string[] = [];
  const fields = body.requiredPersonalizationFields;
  if (!Array.isArray(fields) || fields.length === 0) {
    problems.push(`requiredPersonalizationFields must be a non-empty array of ${allowed.join(", ")}`);
  } else {
    const bad = fields.filter((f) => typeof f !== "string" || !allowed.includes(f));
    if (bad.length)
      problems.push(
        `requiredPersonalizationFields may hold only ${allowed.join(", ")} (got ${bad.map(String).join(", ")})`,
      );
  }
  for (const key of ["description", "termsAndConditions"] as const) {
    if (
      body[key] !== undefined &&
      body[key] !== null &&
      (typeof body[key] !== "string" || (body[key] as string).length > MAX_TEXT)
    ) {
      problems.push(`${key} must be a string`);
    }
  }
  if (typeof body.description !== "string" || body.description.trim() === "") {
    problems.push("description is required (Apple Wallet shows it on the sign-up sheet)");
  }
  assertNoProblems(problems);
  const result: Personalization = {
    requiredPersonalizationFields: [...new Set(fields as string[])],
    description: body.description as string,
  };
  if (typeof body.termsAndConditions === "string") result.termsAndConditions = body.termsAndConditions;
  return result;
}
