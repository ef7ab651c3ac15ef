// OAuth scopes as Airship names them. Each authenticated route declares the one it needs in its own definition
// (`config: access(scope, owner)`, http/access.ts); a route without one stops the server from starting.

export const SCOPES = {
  wpas: "passes and tags",
  wtmp: "templates",
  wprj: "projects, their settings, certificates, credentials and callbacks",
  wadl: "adaptive links (with their flights and events)",
  wsch: "schedules",
  wseg: "segments",
  wnot: "notifications",
  wrpt: "statistics",
  wevt: "events and their pass groups",
  wfli: "flights and their pass groups",
} as const;
export type Scope = keyof typeof SCOPES;

export const isScope = (value: string): value is Scope => Object.hasOwn(SCOPES, value);
