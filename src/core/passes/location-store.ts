// A pass's own locations as rows: inserted from validated inputs in one statement, answered with their columns.

import type { Queryable } from "../../db/queryable.js";
import type { LocationInput } from "../../domain/values.js";
import type { Location } from "../../generated/prisma/client.js";

const LOCATION_COLUMNS = `id, template_id AS "templateId", pass_id AS "passId", latitude, longitude, altitude,
  relevant_text AS "relevantText", street_address1 AS "streetAddress1", street_address2 AS "streetAddress2", city, region,
  region_code AS "regionCode", country, created_at AS "createdAt"`;

/** Adds locations to a pass (in the caller's transaction); returns the rows made, in order. */
export async function insertLocations(db: Queryable, passId: number, locations: LocationInput[]): Promise<Location[]> {
  const { rows } = await db.query<Location>(
    `INSERT INTO locations (pass_id, latitude, longitude, altitude, relevant_text, street_address1, street_address2,
                            city, region, region_code, country)
     SELECT $1, l.latitude, l.longitude, l.altitude, l."relevantText", l."streetAddress1", l."streetAddress2",
            l.city, l.region, l."regionCode", l.country
       FROM jsonb_to_recordset($2::jsonb) AS l(latitude float8, longitude float8, altitude float8,
            "relevantText" text, "streetAddress1" text, "streetAddress2" text, city text, region text,
            "regionCode" text, country text)
     RETURNING ${LOCATION_COLUMNS}`,
    [passId, JSON.stringify(locations)],
  );
  return rows;
}
