// Sign-ups through Apple Wallet, stored: the pass a personalize call names, and the holder's answer kept once. The
// first holder's sign-up stays; the pass then changes (its next bundle has no personalization.json), so Wallet
// fetches the personalized pass.
import type pg from "pg";
import { inTransaction } from "../db/transaction.js";
import { recordPassEvents } from "../events/pass-event-store.js";

export interface PersonalizationTarget {
  id: number;
  authenticationToken: string;
  projectId: number;
  vendor: string;
  requirements: unknown;
  personalized: boolean;
}

/** Where sign-ups are stored: the pass a personalize call names, and keeping a holder's answer once. */
export class SignUps {
  constructor(private readonly pool: pg.Pool) {}

  /** The pass a personalize call names, with its template's requirements and whether it was personalized. */
  async target(serialNumber: string): Promise<PersonalizationTarget | undefined> {
    const { rows } = await this.pool.query<PersonalizationTarget>({
      name: "apple-personalization-target",
      text: `SELECT f.id, f.authentication_token AS "authenticationToken", f.project_id AS "projectId", f.vendor,
                  f.template_design->'personalization'->'requiredPersonalizationFields' AS requirements,
                  f.personalization IS NOT NULL AS personalized
             FROM pass_facts f WHERE f.serial_number = $1`,
      values: [serialNumber],
    });
    return rows[0];
  }

  /** Keeps the holder's sign-up once; false when the pass was personalized already. */
  keep(passId: number, info: Record<string, string>): Promise<boolean> {
    return storePersonalization(this.pool, passId, info);
  }
}

/**
 * Keeps the holder's sign-up info on the pass and fills the template's fields named like it (name, emailAddress,
 * …); the pass then changes (its next bundle has no personalization.json), so Wallet fetches the personalized pass.
 */
async function storePersonalization(pool: pg.Pool, passId: number, info: Record<string, string>): Promise<boolean> {
  const fieldValues: Record<string, { value: string }> = {};
  const name = info.fullName ?? [info.givenName, info.familyName].filter(Boolean).join(" ");
  const values: Record<string, string | undefined> = {
    name,
    fullName: name,
    emailAddress: info.emailAddress,
    email: info.emailAddress,
    postalCode: info.postalCode,
    phoneNumber: info.phoneNumber,
    phone: info.phoneNumber,
  };
  for (const [key, value] of Object.entries(values)) if (value) fieldValues[key] = { value };
  return inTransaction(pool, async (client) => {
    // Once only: the first holder's sign-up stays; a replay changes nothing.
    const { rowCount } = await client.query(
      `UPDATE passes p SET personalization = $2,
         overrides = jsonb_set(p.overrides, '{fields}', COALESCE(p.overrides->'fields', '{}'::jsonb) || (
           SELECT COALESCE(jsonb_object_agg(f.key, COALESCE(p.overrides->'fields'->f.key, '{}'::jsonb) || f.value), '{}'::jsonb)
             FROM jsonb_each($3::jsonb) f JOIN templates t ON t.id = p.template_id
            WHERE t.design->'fields' ? f.key)),
         version = version + 1, updated_at = now()
       WHERE p.id = $1 AND p.personalization IS NULL`,
      [passId, JSON.stringify(info), JSON.stringify(fieldValues)],
    );
    if (rowCount !== 1) return false;
    await recordPassEvents(client, [passId], "personalized");
    return true;
  });
}
