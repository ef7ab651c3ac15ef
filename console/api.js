// Every call the console makes goes through the server's own /v1 and /v0 API, with the session cookie (sent by the
// browser, never readable by script) and, for a change, the session's CSRF token.

let csrfToken = "";
export const setCsrfToken = (token) => {
  csrfToken = token;
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? body?.error_description ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code;
    this.details = Array.isArray(body?.details) ? body.details : [];
  }
}

/** Hooks the app sets: what to do when the session has ended. */
export const hooks = { signedOut: () => {} };

async function send(method, path, body, accept = "application/json") {
  const headers = { accept };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && method !== "HEAD") headers["x-csrf-token"] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && !path.startsWith("/console/session")) hooks.signedOut();
  return response;
}

/** A JSON call; throws ApiError with the server's message, code and details. */
export async function api(method, path, body) {
  const response = await send(method, path, body);
  if (response.status === 204) return null;
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { error: text.slice(0, 200) };
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

/** An image the API answers (a preview of an unsaved body), as an object URL the page can show. */
export async function imageOf(method, path, body) {
  const response = await send(method, path, body, "image/svg+xml, image/png");
  if (!response.ok) {
    let json = null;
    try {
      json = await response.json();
    } catch {}
    throw new ApiError(response.status, json);
  }
  return URL.createObjectURL(await response.blob());
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
