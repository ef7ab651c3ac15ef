// A crowd on one row: many phones installing one shared pass, many writers on one pass, one link claimed by many
// visitors at once. Real Postgres, real HTTP over loopback, a fake APNs that records pushes. Nothing may answer 5xx,
// nothing may deadlock, and each count must come out exact.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeApns, startFakeApns } from "../fakes/apns.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { type TestPki, testPki } from "../helpers/apple.js";
import { until } from "../helpers/wait.js";

let server: TestServer;
let pki: TestPki;
let apns: FakeApns;
let projectId: number;
let templateId: number;

const FIELDS = Array.from({ length: 10 }, (_, i) => `F${i}`);

beforeAll(async () => {
  pki = testPki();
  apns = await startFakeApns();
  server = await startTestServer({
    apple: pki.setup,
    worker: true,
    // Each phone of a crowd has its own address (a per-address limit applies to registrations).
    trustProxy: "127.0.0.1",
    apns: { host: apns.host, ca: apns.ca, backoffMs: 5, timeoutMs: 2000 },
  });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Crowd", projectType: "memberCard" } })).json
    .id;
  const created = await server.call("POST", `/v1/template/${projectId}`, {
    body: {
      name: "Season ticket",
      vendor: "Apple",
      type: "Store Card",
      headers: { logo_text: { value: "Crowd" } },
      fields: Object.fromEntries(
        FIELDS.map((name) => [name, { fieldType: "back", label: name, value: "initial", changeMessage: "%@" }]),
      ),
    },
  });
  expect(created.status).toBe(200);
  templateId = created.json.templateId;
});
afterAll(async () => {
  await server?.close();
  await apns?.close();
});

interface Installed {
  passId: number;
  serial: string;
  token: string;
  ptid: string;
}

async function newPass(body: unknown = {}): Promise<Installed> {
  const created = await server.call("POST", `/v1/pass/${templateId}`, { body });
  expect(created.status).toBe(200);
  const json = (await server.call("GET", `/v1/pass/${created.json.id}/viewJSONPass`)).json;
  return {
    passId: created.json.id,
    serial: json.serialNumber,
    token: json.authenticationToken,
    ptid: json.passTypeIdentifier,
  };
}

/** A phone's address, one per device name. */
const addressOf = (name: string) => {
  const n = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

function device(method: "POST" | "DELETE", name: string, pass: Installed, pushToken = `${name}-token`) {
  return fetch(`${server.baseUrl}/apple/v1/devices/${name}/registrations/${pass.ptid}/${pass.serial}`, {
    method,
    headers: {
      "content-type": "application/json",
      authorization: `ApplePass ${pass.token}`,
      "x-forwarded-for": addressOf(name),
    },
    ...(method === "POST" ? { body: JSON.stringify({ pushToken }) } : {}),
  });
}

/** Runs `count` calls of `run`, `atOnce` at a time; answers their statuses in order. */
async function waves(count: number, atOnce: number, run: (i: number) => Promise<Response>): Promise<number[]> {
  const statuses: number[] = [];
  for (let start = 0; start < count; start += atOnce) {
    const wave = Array.from({ length: Math.min(atOnce, count - start) }, (_, k) => run(start + k));
    for (const response of await Promise.all(wave)) {
      statuses.push(response.status);
      await response.arrayBuffer();
    }
  }
  return statuses;
}

const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((t, s) => Object.assign(t, { [s]: (t[s] ?? 0) + 1 }), {});

async function eventsOf(passId: number, kind: string): Promise<number> {
  const { rows } = await server.database.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pass_events WHERE pass_id = $1 AND kind = $2",
    [passId, kind],
  );
  return rows[0]!.n;
}

async function passRow(passId: number) {
  const { rows } = await server.database.query<{ status: string; version: number; installs: number }>(
    "SELECT status, version, installs FROM passes WHERE id = $1",
    [passId],
  );
  return rows[0]!;
}

async function registrationsOf(passId: number): Promise<string[]> {
  const { rows } = await server.database.query<{ device: string }>(
    "SELECT device_library_identifier AS device FROM apple_registrations WHERE pass_id = $1 ORDER BY 1",
    [passId],
  );
  return rows.map((r) => r.device);
}

/** The template's counters (summed over shards) agree with its rows. */
async function expectCountsExact() {
  const { rows } = await server.database.query<{ status: string; counted: number; actual: number }>(
    `SELECT s.status, COALESCE((SELECT sum(passes) FROM template_pass_counts c WHERE c.template_id = $1 AND c.status = s.status), 0)::int AS counted,
            (SELECT count(*) FROM passes p WHERE p.template_id = $1 AND p.status = s.status)::int AS actual
       FROM (VALUES ('installed'), ('uninstalled'), ('not_been_installed')) s(status)`,
    [templateId],
  );
  for (const row of rows) expect(row.counted, row.status).toBe(row.actual);
}

describe("a crowd of phones on one shared pass", () => {
  it("registers 200 devices, 25 at a time: every one 201, one install", async () => {
    const pass = await newPass();
    const statuses = await waves(200, 25, (i) => device("POST", `crowd-${i}`, pass));
    expect(tally(statuses)).toEqual({ 201: 200 });
    expect((await registrationsOf(pass.passId)).length).toBe(200);
    expect(await eventsOf(pass.passId, "installed")).toBe(1);
    expect(await passRow(pass.passId)).toMatchObject({ status: "installed", installs: 200 });
    // A second crowd of the same devices only refreshes.
    const again = await waves(200, 25, (i) => device("POST", `crowd-${i}`, pass));
    expect(tally(again)).toEqual({ 200: 200 });
    expect(await eventsOf(pass.passId, "installed")).toBe(1);
    await expectCountsExact();
  }, 120_000);

  it("keeps a consistent state while the same devices register and unregister at once", async () => {
    const pass = await newPass();
    expect(await waves(1, 1, () => device("POST", "resident", pass))).toEqual([201]);
    // Each round: ten new devices arrive while the last round's ten leave, and one device comes and goes at once.
    const answers: number[] = [];
    for (let round = 0; round < 8; round++) {
      answers.push(
        ...(await waves(22, 22, (i) => {
          if (i === 20) return device("POST", "flicker", pass);
          if (i === 21) return device("DELETE", "flicker", pass);
          return i < 10 ? device("POST", `r${round}-${i}`, pass) : device("DELETE", `r${round - 1}-${i - 10}`, pass);
        })),
      );
    }
    expect(answers.filter((s) => s >= 500)).toEqual([]);
    const present = await registrationsOf(pass.passId);
    const expected = ["resident", ...Array.from({ length: 10 }, (_, i) => `r7-${i}`)];
    expect(present.filter((d) => d !== "flicker")).toEqual(expected.sort());
    expect((await passRow(pass.passId)).status).toBe("installed");
    // Installs and uninstalls alternate: one more install than uninstalls while devices remain.
    const installed = await eventsOf(pass.passId, "installed");
    const uninstalled = await eventsOf(pass.passId, "uninstalled");
    expect(installed - uninstalled).toBe(1);
    // Every device leaves at once: the pass is uninstalled, with exactly one more uninstall.
    expect(tally(await waves(present.length, present.length, (i) => device("DELETE", present[i]!, pass)))).toEqual({
      200: present.length,
    });
    expect(await registrationsOf(pass.passId)).toEqual([]);
    expect((await passRow(pass.passId)).status).toBe("uninstalled");
    expect(await eventsOf(pass.passId, "uninstalled")).toBe(installed);
    await expectCountsExact();
  }, 120_000);
});

describe("a crowd of writers on one pass", () => {
  it("takes 50 concurrent PUTs: all 200, every change kept, version + 50, one push per device per settled change", async () => {
    const pass = await newPass();
    const devices = ["w-0", "w-1", "w-2"];
    for (const status of await waves(devices.length, devices.length, (i) => device("POST", devices[i]!, pass))) {
      expect(status).toBe(201);
    }
    const before = await passRow(pass.passId);
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        server.call("PUT", `/v1/pass/${pass.passId}`, {
          body: { fields: { [FIELDS[i % FIELDS.length]!]: { value: `v${i}` } } },
        }),
      ),
    );
    const burstSeconds = (Date.now() - started) / 1000;
    expect(tally(responses.map((r) => r.status))).toEqual({ 200: 50 });
    expect((await passRow(pass.passId)).version).toBe(before.version + 50);
    // No write lost another's: each field holds the value of one of the five PUTs that named it.
    const fields = (await server.call("GET", `/v1/pass/${pass.passId}`)).json.fields as Record<
      string,
      { value: string }
    >;
    FIELDS.forEach((name, f) => {
      const written = Array.from({ length: 5 }, (_, k) => `v${f + k * FIELDS.length}`);
      expect(written, name).toContain(fields[name]!.value);
    });
    // Pushes: the burst's changes are coalesced; each device is pushed the same number of times, far fewer than 50.
    const tokens = devices.map((d) => `${d}-token`);
    await until(
      async () =>
        (
          await server.database.query("SELECT 1 FROM graphile_worker.jobs WHERE key = $1", [
            `pass-changed:${pass.passId}`,
          ])
        ).rowCount,
      (n) => n === 0,
    );
    const pushes = tokens.map((t) => apns.pushes.filter((p) => p.token === t).length);
    expect(pushes[0]).toBeGreaterThanOrEqual(1);
    expect(pushes.every((n) => n === pushes[0])).toBe(true);
    expect(pushes[0]).toBeLessThanOrEqual(Math.ceil(burstSeconds) + 2);
  }, 120_000);

  it("takes 20 concurrent tag additions: the pass ends with 15 tags, the rest refused with a 4xx", async () => {
    const pass = await newPass();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.call("PUT", `/v1/pass/${pass.passId}/tags`, { body: { tags: [`crowd-tag-${i}`] } }),
      ),
    );
    const statuses = tally(responses.map((r) => r.status));
    expect(statuses[200]).toBe(15);
    expect(Object.keys(statuses).every((s) => Number(s) < 500)).toBe(true);
    const tags = (await server.call("GET", `/v1/pass/${pass.passId}/tags`)).json.tags;
    expect(tags).toHaveLength(15);
    const added = responses.filter((r) => r.status === 200).flatMap((r) => r.json.newTags as string[]);
    expect(added.sort()).toEqual(tags.map((t: { name: string }) => t.name).sort());
  }, 60_000);

  it("hands out exactly 5 passes to 20 concurrent claims of a link with availablePasses 5", async () => {
    const link = await server.call("POST", `/v1/links/adaptive/project/${projectId}/id/crowd-link`, {
      body: { iosTemplateId: templateId, availablePasses: 5, isPersonalized: true },
    });
    expect(link.status).toBe(200);
    const statuses = await waves(20, 20, (i) =>
      fetch(`${link.json.url}/ios?exid=claim-${i}`, { headers: { "user-agent": "curl" } }),
    );
    const t = tally(statuses);
    expect(t[200]).toBe(5);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 410)).toBe(true);
    const { rows } = await server.database.query<{ n: number; left: number }>(
      `SELECT (SELECT count(*)::int FROM passes WHERE adaptive_link_id = $1) AS n,
              (SELECT available_passes FROM adaptive_links WHERE id = $1) AS left`,
      [link.json.adaptiveLinkId],
    );
    expect(rows[0]).toEqual({ n: 5, left: 0 });
  }, 60_000);

  it("keeps one of 10 concurrent personalize calls", async () => {
    await server.call("POST", `/v1/template/${templateId}/personalization`, {
      body: { requiredPersonalizationFields: ["name"], description: "Join" },
    });
    try {
      const pass = await newPass();
      const statuses = await waves(10, 10, (i) =>
        fetch(`${server.baseUrl}/apple/v1/passes/${pass.ptid}/${pass.serial}/personalize`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            personalizationToken: `token-${i}`,
            requiredPersonalizationInfo: { fullName: `Holder ${i}` },
          }),
        }),
      );
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s !== 200).every((s) => s === 409 || s === 429)).toBe(true);
      const { rows } = await server.database.query<{ personalization: { fullName: string }; version: number }>(
        "SELECT personalization, version FROM passes WHERE id = $1",
        [pass.passId],
      );
      expect(rows[0]!.personalization.fullName).toMatch(/^Holder \d$/);
      expect(await eventsOf(pass.passId, "personalized")).toBe(1);
    } finally {
      await server.call("DELETE", `/v1/template/${templateId}/personalization`);
    }
  }, 60_000);
});
