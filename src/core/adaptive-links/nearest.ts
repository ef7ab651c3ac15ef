// The locations of an adaptive link nearest to the visitor's device (lat/long query parameters): within the
// link's locationRadius (miles) when it has one, closest first, at most maxResultLocations (and at most 10, the
// Apple Wallet limit).
import type { LocationInput } from "../../domain/values.js";

const EARTH_RADIUS_MILES = 3958.8;

/** Great-circle distance in miles. */
export function distanceMiles(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }) {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_MILES * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function nearestLocations(
  locations: LocationInput[],
  from: { latitude: number; longitude: number } | undefined,
  options: { radiusMiles?: number | null; max?: number | null },
): LocationInput[] {
  const limit = Math.min(10, options.max && options.max > 0 ? options.max : 10);
  if (!from) return locations.slice(0, limit);
  return locations
    .map((location) => ({ location, distance: distanceMiles(from, location) }))
    .filter(({ distance }) => !options.radiusMiles || distance <= options.radiusMiles)
    .sort((a, b) => a.distance - b.distance)
    .slice(0, limit)
    .map(({ location }) => location);
}
