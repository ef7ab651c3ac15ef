// The rules of project callbacks: where a project's install, uninstall and personalize events are POSTed. The
// base URL must pass the outbound guard when it is set (and again at every delivery); header values are secrets —
// answered in full only by the request that set them, masked afterwards, never logged.
import { InvalidInput } from "../../domain/invalid-input.js";
import { notFound } from "../../errors.js";
import type { OutboundGuard } from "../../outbound/guard.js";
import { checkReceiverUrl } from "../../outbound/receiver-url.js";
import type { ProjectKey, ProjectRepository } from "../projects/repository.js";
import type { CallbackRepository, ProjectCallback } from "./repository.js";

export const MAX_CALLBACK_HEADERS = 20;
export const MAX_HEADER_BYTES = 4096;
export const MAX_BASE_URL_LENGTH = 2048;
/** Headers the server sets itself: a caller's value would break or mislead the request. */
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "x-wallet-event-id",
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface CallbackBody {
  baseUrl?: unknown;
  headers?: unknown;
}

export class CallbackService {
  constructor(
    private readonly callbacks: CallbackRepository,
    private readonly projects: ProjectRepository,
    private readonly guard: OutboundGuard,
  ) {}

  async set(accountId: number, key: ProjectKey, body: CallbackBody) {
    const { baseUrl, headers } = checkBody(body);
    const projectId = await this.projectId(accountId, key);
    await checkReceiverUrl(this.guard, baseUrl, "baseUrl", "CALLBACK_TARGET_REFUSED");
    return response(await this.callbacks.set(projectId, baseUrl, headers), false);
  }

  async get(accountId: number, key: ProjectKey) {
    const projectId = await this.projectId(accountId, key);
    const callback = await this.callbacks.get(projectId);
    if (!callback) throw notFound("Project callback");
    return response(callback, true);
  }

  async delete(accountId: number, key: ProjectKey) {
    const projectId = await this.projectId(accountId, key);
    if (!(await this.callbacks.delete(projectId))) throw notFound("Project callback");
    return { projectId, deleted: true };
  }

  private async projectId(accountId: number, key: ProjectKey): Promise<number> {
    const id = await this.projects.findId(accountId, key);
    if (id === null) throw notFound("Project");
    return id;
  }
}

function checkBody(body: CallbackBody): { baseUrl: string; headers: Record<string, string> } {
  const problems: string[] = [];
  const { baseUrl, headers = {} } = body;
  if (typeof baseUrl !== "string" || baseUrl.length === 0) problems.push("baseUrl is required (an https URL)");
  else if (baseUrl.length > MAX_BASE_URL_LENGTH) problems.push(`baseUrl is longer than ${MAX_BASE_URL_LENGTH}`);
  const clean: Record<string, string> = {};
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    problems.push("headers must be an object of header names to string values");
  } else {
    const entries = Object.entries(headers as Record<string, unknown>);
    if (entries.length > MAX_CALLBACK_HEADERS) problems.push(`headers has more than ${MAX_CALLBACK_HEADERS} entries`);
    const seen = new Set<string>();
    for (const [name, value] of entries.slice(0, MAX_CALLBACK_HEADERS + 1)) {
      const lower = name.toLowerCase();
      if (!HEADER_NAME.test(name)) problems.push(`header name "${name.slice(0, 64)}" is not a valid HTTP token`);
      else if (RESERVED_HEADERS.has(lower))
        problems.push(`header ${name} is set by the server and cannot be configured`);
      else if (seen.has(lower)) problems.push(`header ${name} is given twice`);
      else if (typeof value !== "string") problems.push(`header ${name} must have a string value`);
      else if (/[\r\n\0]/.test(value)) problems.push(`header ${name} has a line break or NUL in its value`);
      else if (Buffer.byteLength(name) + Buffer.byteLength(value) > MAX_HEADER_BYTES) {
        problems.push(`header ${name} is larger than ${MAX_HEADER_BYTES} bytes`);
      } else clean[name] = value;
      seen.add(lower);
    }
  }
  if (problems.length > 0) throw new InvalidInput(problems);
  const trimmed = (baseUrl as string).replace(/\/+$/, "");
  return { baseUrl: trimmed, headers: clean };
}

/** A header value as GET shows it: its length hidden, at most its last four characters. */
export function maskedValue(value: string): string {
  return value.length >= 12 ? `****${value.slice(-4)}` : "****";
}

function response(callback: ProjectCallback, masked: boolean) {
  return {
    projectId: callback.projectId,
    baseUrl: callback.baseUrl,
    headers: masked
      ? Object.fromEntries(Object.entries(callback.headers).map(([name, value]) => [name, maskedValue(value)]))
      : callback.headers,
    createdAt: callback.createdAt.toISOString(),
    updatedAt: callback.updatedAt.toISOString(),
  };
}
