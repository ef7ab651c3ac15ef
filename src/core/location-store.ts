// Locations as rows — a template's or a pass's own: inserted from validated inputs in one statement, read with
// their columns. Shared by templates and passes.

import type { Queryable } from "../db/queryable.js";
import type { LocationInput } from "../domain/values.js";

export interface LocationRow {
  id: number;
  templateId: number | null;
  passId: number | null;
  latitude: number;
  longitude: number;
  altitude: number | null;
  relevantText: string | null;
  streetAddress1: string | null;
  streetAddress2: string | null;
  city: string | null;
  region: string | null;
  regionCode: string | null;
  country: string | null;
  createdAt: Date;
}

export const LOCATION_COLUMNS = `id, template_id AS "templateId", pass_id AS "passId", latitude, longitude, altitude,
  relevant_text AS "relevantText", street_address1 AS "streetAddress1", street_address2 AS "streetAddress2", city, region,
  region_code AS "regionCode", country, created_at AS "createdAt"`;

/** Adds locations to a pass or a template (in the caller's transaction); returns the rows made, in order. */
export async function insertLocations(
  db: Queryable,
  owner: { passId: number } | { templateId: number },
  locations: LocationInput[],
): Promise<LocationRow[]> {
  if (locations.length === 0) return [];
  const { rows } = await db.query<LocationRow>(
    `INSERT INTO locations (pass_id, template_id, latitude, longitude, altitude, relevant_text, street_address1,
                            street_address2, city, region, region_code, country)
     SELECT $1, $2, l.latitude, l.longitude, l.altitude, l."relevantText", l."streetAddress1", l."streetAddress2",
            l.city, l.region, l."regionCode", l.country
       FROM ROWS FROM (jsonb_to_recordset($3::jsonb) AS (latitude float8, longitude float8, altitude float8,
            "relevantText" text, "streetAddress1" text, "streetAddress2" text, city text, region text,
            "regionCode" text, country text)) WITH ORDINALITY AS l(latitude, longitude, altitude, "relevantText",
            "streetAddress1", "streetAddress2", city, region, "regionCode", country, n)
      ORDER BY l.n
     RETURNING ${LOCATION_COLUMNS}`,
    [
      "passId" in owner ? owner.passId : null,
      "templateId" in owner ? owner.templateId : null,
      JSON.stringify(locations),
    ],
  );
  return rows.sort((a, b) => a.id - b.id);
}
