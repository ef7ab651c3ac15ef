// The console's session cookie: its name, reading it from a request (bounded), and the Set-Cookie values.
import type { FastifyRequest } from "fastify";

export const SESSION_COOKIE = "wallet_console";
const MAX_COOKIE_HEADER = 8 * 1024;

/** The value of the cookie `name`, or undefined (a header too long to be ours is not read). */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== "string" || header.length > MAX_COOKIE_HEADER) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** Whether the request came over https (directly, or through a trusted proxy's X-Forwarded-Proto). */
export const isHttps = (request: FastifyRequest) => request.protocol === "https";

/** HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure behind https. */
export function sessionCookie(request: FastifyRequest, token: string, maxAgeSeconds: number): string {
  const secure = isHttps(request) ? "; Secure" : "";
  return `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`;
}

export function clearedSessionCookie(request: FastifyRequest): string {
  return sessionCookie(request, "", 0);
}
