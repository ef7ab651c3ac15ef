// OAuth scopes as Airship names them, and the scope each authenticated route needs. The rule table is the only
// place a route's scope is decided: every authenticated route is matched when it is registered, and a route no
// rule matches stops the server from starting — so a new route cannot be left unscoped.

export const SCOPES = {
  wpas: "passes and tags",
  wtmp: "templates",
  wprj: "projects, their settings, certificates, credentials and callbacks",
  wadl: "adaptive links (with their flights and events)",
  wsch: "schedules",
  wseg: "segments",
  wnot: "notifications",
  wrpt: "statistics",
  wevt: "event groups",
  wfli: "flight groups",
} as const;
export type Scope = keyof typeof SCOPES;

export const isScope = (value: string): value is Scope => Object.hasOwn(SCOPES, value);

/** Ordered: the first rule whose pattern matches the route's URL decides. */
const RULES: [RegExp, Scope][] = [
  [/\/notify$|^\/v0\/rpc\/passSendPushNotification$/, "wnot"],
  [/\/(stats|activity)(\/|$)/, "wrpt"],
  [/^\/v1\/segments(\/|$)/, "wseg"],
  [/^\/v1\/schedules(\/|$)/, "wsch"],
  [/^\/v1\/links\/adaptive(\/|$)/, "wadl"],
  [/^\/v1\/template(\/|$)/, "wtmp"],
  [/^\/v1\/project(\/|$)|^\/v0\/webhookEndpoints(\/|$)/, "wprj"],
  [/^\/v1\/(pass|tag|ticket)(\/|$)|^\/v0\/rpc\//, "wpas"],
];

/** The scope a route (its full URL pattern, e.g. /v1/pass/:id) needs; throws when no rule covers it. */
export function scopeOfRoute(url: string): Scope {
  const rule = RULES.find(([pattern]) => pattern.test(url));
  if (!rule) throw new Error(`No OAuth scope covers the authenticated route ${url}: add a rule in accounts/scopes.ts`);
  return rule[1];
}
