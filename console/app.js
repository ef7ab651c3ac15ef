// The web console: sign-in, the page's frame, and the router (#/projects, #/projects/1, #/templates/2,
// #/templates/2/edit, #/templates/new?project=1, #/passes/3, #/projects/1/operations).
import { ApiError, api, hooks, setCsrfToken } from "./api.js";
import { fill, h } from "./dom.js";
import { templateEditor } from "./views/editor.js";
import { operationsPage } from "./views/operations.js";
import { passPage } from "./views/pass.js";
import { projectPage, projectsPage } from "./views/projects.js";
import { templatePage } from "./views/template.js";

const main = document.getElementById("main");
const top = document.getElementById("top");
const status = h("div", { class: "status", role: "status", "aria-live": "polite" });
document.body.append(status);

/** What every view is handed: the session, what it allows, and how to say something to the reader. */
const ctx = {
  session: null,
  /** Whether the session may use a scope. */
  can: (scope) => ctx.session.scopes.includes(scope),
  /** Whether the session may change what a scope covers (read-only sessions may not). */
  canWrite: (scope) => ctx.can(scope) && !ctx.session.readOnly,
  navigate: (hash) => {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  announce: (message, kind = "ok") => {
    fill(status, h("p", { class: `notice ${kind}` }, message));
  },
  /** Shows an API error where the reader is, with every problem it names. */
  failure: (error) => {
    const details = error instanceof ApiError && error.details.length > 1 ? error.details : [];
    fill(
      status,
      h(
        "div",
        { class: "notice error", role: "alert" },
        h("p", {}, error.message),
        details.length
          ? h(
              "ul",
              {},
              details.map((d) => h("li", {}, d)),
            )
          : null,
      ),
    );
  },
};

function frame() {
  const s = ctx.session;
  fill(
    top,
    h(
      "nav",
      { "aria-label": "Console" },
      h("a", { href: "#/projects", class: "brand" }, "Wallet console"),
      h("a", { href: "#/projects" }, "Projects"),
      h(
        "span",
        { class: "who" },
        `Signed in with ${s.keyName}`,
        s.readOnly ? h("span", { class: "badge" }, "read-only") : null,
      ),
      h("button", { type: "button", class: "secondary", onclick: signOut }, "Sign out"),
    ),
  );
}

async function signOut() {
  try {
    await api("DELETE", "/console/session");
  } catch {}
  ctx.session = null;
  setCsrfToken("");
  location.hash = "";
  signInPage("You are signed out.");
}

function signInPage(message) {
  fill(top);
  document.title = "Sign in · Wallet console";
  const key = h("input", { id: "key", name: "key", autocomplete: "username", required: true });
  const secret = h("input", {
    id: "secret",
    name: "secret",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const scopes = h("input", { id: "scopes", name: "scopes", "aria-describedby": "scopes-hint" });
  const error = h("p", { class: "field-error", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "card narrow", onsubmit: (event) => submit(event) },
    h("h1", { tabindex: "-1" }, "Sign in"),
    message ? h("p", {}, message) : null,
    h("p", {}, "Use an API key and its secret (or an OAuth client's id and secret)."),
    h("div", { class: "field" }, h("label", { for: "key" }, "API key"), key),
    h("div", { class: "field" }, h("label", { for: "secret" }, "Secret"), secret),
    h(
      "div",
      { class: "field" },
      h("label", { for: "scopes" }, "Scopes (optional)"),
      scopes,
      h("p", { class: "hint", id: "scopes-hint" }, "Space-separated, e.g. wpas wtmp: only these for this session."),
    ),
    error,
    h("button", { type: "submit" }, "Sign in"),
  );
  async function submit(event) {
    event.preventDefault();
    error.hidden = true;
    try {
      const chosen = scopes.value.split(/[\s,]+/).filter(Boolean);
      const session = await api("POST", "/console/session", {
        key: key.value.trim(),
        secret: secret.value,
        ...(chosen.length ? { scopes: chosen } : {}),
      });
      start(session);
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      secret.focus();
    }
  }
  fill(main, form);
  key.focus();
}

function start(session) {
  ctx.session = session;
  setCsrfToken(session.csrfToken);
  frame();
  if (!location.hash || location.hash === "#") location.hash = "#/projects";
  else route();
}

const ROUTES = [
  [/^#\/projects\/?$/, () => projectsPage(ctx)],
  [/^#\/projects\/(\d+)\/operations$/, (m) => operationsPage(ctx, Number(m[1]))],
  [/^#\/projects\/(\d+)$/, (m) => projectPage(ctx, Number(m[1]))],
  [/^#\/templates\/new\?project=(\d+)$/, (m) => templateEditor(ctx, { projectId: Number(m[1]) })],
  [/^#\/templates\/(\d+)\/edit$/, (m) => templateEditor(ctx, { templateId: Number(m[1]) })],
  [/^#\/templates\/(\d+)(\?.*)?$/, (m) => templatePage(ctx, Number(m[1]), new URLSearchParams(m[2] ?? ""))],
  [/^#\/passes\/(\d+)$/, (m) => passPage(ctx, Number(m[1]))],
];

// The first page after the document loads keeps the browser's focus (the skip link is the first Tab stop); later
// pages move focus to their heading, so a screen reader announces where the reader went.
let landed = false;

async function route() {
  if (!ctx.session) return;
  fill(status);
  const hash = location.hash || "#/projects";
  const found = ROUTES.map(([pattern, view]) => [pattern.exec(hash), view]).find(([m]) => m);
  fill(main, h("p", { "aria-busy": "true" }, "Loading…"));
  try {
    const view = found ? await found[1](found[0]) : h("h1", { tabindex: "-1" }, "Not found");
    fill(main, view);
  } catch (error) {
    fill(main, h("h1", { tabindex: "-1" }, "Something went wrong"), h("p", {}, error.message));
  }
  const heading = main.querySelector("h1");
  document.title = `${heading?.textContent ?? "Console"} · Wallet console`;
  if (landed) (heading ?? main).focus();
  landed = true;
}

hooks.signedOut = () => {
  if (ctx.session) {
    ctx.session = null;
    signInPage("Your session has ended: sign in again.");
  }
};

window.addEventListener("hashchange", route);
// The skip link focuses the content without touching the hash, which is the router's.
document.querySelector(".skip")?.addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});

try {
  start(await api("GET", "/console/session"));
} catch {
  signInPage();
}
