// Airship's Google message (POST /v1/pass/{id}/message): a header and body shown on a Google pass, optionally within
// a display interval, as text or as an expiration notification. Kept on the pass (the newest ten) and sent in its
// Google object's `messages`.
import type { GoogleMessage } from "../../domain/google-keys.js";
import { isObject } from "../../domain/values.js";

export const MAX_MESSAGES_PER_PASS = 10;
export const MAX_HEADER_LENGTH = 500;
export const MAX_BODY_LENGTH = 2000;

const TYPES: Record<string, GoogleMessage["messageType"]> = {
  text: "text",
  TEXT: "text",
  expirationNotification: "expirationNotification",
  EXPIRATION_NOTIFICATION: "expirationNotification",
};

/** `{date}` (as Airship writes it) or a bare ISO date-time, as an ISO string; undefined when absent. */
function instant(raw: unknown, where: string, problems: string[]): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const text = isObject(raw) ? raw.date : raw;
  const ms = typeof text === "string" && text.length <= 64 ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) {
    problems.push(`${where} must be {"date": "<ISO 8601 date-time>"}`);
    return undefined;
  }
  return new Date(ms).toISOString();
}

/** The message a request asks for, or the problems that make it unusable (each naming its key). */
export function parseGoogleMessage(
  raw: unknown,
  id: string,
  now: Date,
): { message: GoogleMessage } | { problems: string[] } {
  if (!isObject(raw)) return { problems: ['The message must be {"header", "body", "messageType"?, …}'] };
  const problems: string[] = [];
  const text = (key: "header" | "body", max: number) => {
    const value = raw[key];
    if (typeof value !== "string" || value.trim() === "" || value.length > max) {
      problems.push(`${key} must be a non-empty string of at most ${max} characters`);
      return "";
    }
    return value;
  };
  const header = text("header", MAX_HEADER_LENGTH);
  const body = text("body", MAX_BODY_LENGTH);
  const messageType = raw.messageType === undefined ? "text" : TYPES[String(raw.messageType)];
  if (!messageType) problems.push('messageType must be "text" or "expirationNotification"');
  const startTime = instant(raw.startTime, "startTime", problems);
  const endTime = instant(raw.endTime, "endTime", problems);
  if (startTime && endTime && endTime <= startTime) problems.push("endTime must be after startTime");
  if (problems.length) return { problems };
  const at = now.toISOString();
  return {
    message: {
      id,
      header,
      body,
      messageType: messageType!,
      ...(startTime ? { startTime } : {}),
      ...(endTime ? { endTime } : {}),
      createdAt: at,
      updatedAt: at,
    },
  };
}
