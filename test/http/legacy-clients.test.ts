// Clients written against the API since its PassTools days, on their own wire format: form bodies
// (`json=…&api_key=KEY:SECRET`, charset ISO-8859-1 declared, Content-Encoding: UTF-8, "\/" escapes), api_key in the
// query string, no Authorization header. One test per behaviour they rely on, asserting the exact keys and types;
// plus the reference's examples that used to fail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeApns, startFakeApns } from "../fakes/apns.js";
import { appleTemplate, googleTemplate, referenceLocation } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { type TestPki, testPki, unpack } from "../helpers/apple.js";
import { until } from "../helpers/wait.js";

let server: TestServer;
let pki: TestPki;
let apns: FakeApns;
let apiKey: string;

beforeAll(async () => {
  pki = testPki();
  apns = await startFakeApns();
  server = await startTestServer({
    apple: pki.setup,
    worker: true,
    apns: { host: apns.host, ca: apns.ca, backoffMs: 5, timeoutMs: 2000 },
  });
  apiKey = `${server.credentials.key}:${server.credentials.secret}`;
});
afterAll(async () => {
  await server.close();
  await apns.close();
});

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response JSON loosely and assert on it.
  json: any;
  text: string;
  headers: Headers;
}

/** A request as a PassTools-era client sends it. */
async function legacy(method: string, path: string, json?: unknown, key = apiKey): Promise<Answer> {
  const headers: Record<string, string> = { "api-revision": "1.2" };
  let body: string | undefined;
  let url = `${server.baseUrl}${path}`;
  if (method === "GET" || method === "DELETE") {
    url += `${path.includes("?") ? "&" : "?"}api_key=${encodeURIComponent(key)}`;
  } else {
    const form = new URLSearchParams();
    // Java's JSON writers escape "/" as "\/".
    if (json !== undefined) form.set("json", JSON.stringify(json).replaceAll("/", "\\/"));
    form.set("api_key", key);
    body = form.toString();
    headers["content-type"] = "application/x-www-form-urlencoded; charset=ISO-8859-1";
    headers["content-encoding"] = "UTF-8";
  }
  const response = await fetch(url, { method, headers, body, redirect: "manual" });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, json: parsed, text, headers: response.headers };
}

const legacyTemplate = {
  name: "Légacy Card",
  description: "A PassTools template",
  type: "storeCard",
  headers: {
    logo_text: { value: "Café Loyalty" },
    icon_image: { value: "https://s3.amazonaws.com/passtools_prod/1/images/default-pass-icon.png" },
  },
  fields: {
    points: { fieldType: "primary", value: "10", label: "Points" },
    Details: { fieldType: "back", value: "", label: "Details" },
  },
};

describe("legacy templates", () => {
  it("creates project-less templates in the account's default project (1)", async () => {
    const plain = await legacy("POST", "/v1/template", legacyTemplate);
    expect(plain.status, plain.text).toBe(200);
    expect(plain.json).toEqual({ templateId: expect.any(Number) });
    const withExternal = await legacy("POST", "/v1/template/id/legacy-ext-1", legacyTemplate);
    expect(withExternal.json).toEqual({ templateId: expect.any(Number) });
    const byExternal = await legacy("GET", "/v1/template/id/legacy-ext-1");
    expect(byExternal.json.id).toBe(withExternal.json.templateId);

    const projects = (await legacy("GET", "/v1/project")).json.projects as {
      id: number;
      name: string;
      templates: { id: number }[];
    }[];
    const defaults = projects.filter((p) => p.name === "Default Project");
    expect(defaults).toHaveLength(1);
    expect(defaults[0]!.templates.map((t) => t.id).sort()).toEqual(
      [plain.json.templateId, withExternal.json.templateId].sort(),
    );

    // A project named by external id, and by id, with a template external id.
    const project = (
      await server.call("POST", "/v1/project/id/legacy-proj", { body: { name: "P", projectType: "loyalty" } })
    ).json;
    const inProject = await legacy("POST", "/v1/template/project/id/legacy-proj/id/legacy-ext-2", legacyTemplate);
    expect(inProject.json).toEqual({ templateId: expect.any(Number) });
    expect((await legacy("GET", "/v1/template/id/legacy-ext-2")).json.templateHeader.projectId).toBe(project.id);
    const byId = await legacy("POST", `/v1/template/${project.id}/id/legacy-ext-3`, legacyTemplate);
    expect((await legacy("GET", `/v1/template/${byId.json.templateId}`)).json.templateHeader.projectId).toBe(
      project.id,
    );
  });

  it("answers template types by display name and keeps them on a PUT without type (2)", async () => {
    const names: Record<string, string> = {
      boardingPass: "Boarding Pass",
      coupon: "Coupon",
      eventTicket: "Event Ticket",
      generic: "Generic",
      storeCard: "Store Card",
      "Event Ticket": "Event Ticket",
    };
    for (const [type, display] of Object.entries(names)) {
      const created = await legacy("POST", "/v1/template", { ...legacyTemplate, type });
      const got = await legacy("GET", `/v1/template/${created.json.templateId}`);
      expect(got.json.templateHeader.type, type).toBe(display);
    }
    const coupon = (await legacy("POST", "/v1/template", { ...legacyTemplate, type: "coupon" })).json.templateId;
    const { type: _type, ...withoutType } = legacyTemplate;
    const put = await legacy("PUT", `/v1/template/${coupon}`, { ...withoutType, name: "Renamed" });
    expect(put.status, put.text).toBe(200);
    const after = (await legacy("GET", `/v1/template/${coupon}`)).json.templateHeader;
    expect(after).toMatchObject({ name: "Renamed", type: "Coupon", vendor: "Apple" });
  });

  it("never answers null header keys; dates are ISO 8601 with T (3)", async () => {
    const created = (await legacy("POST", "/v1/template", { name: "Bare", headers: {}, fields: {} })).json.templateId;
    for (const header of [
      (await legacy("GET", `/v1/template/${created}`)).json.templateHeader,
      ...(await legacy("GET", "/v1/template/headers?pageSize=100")).json.templateHeaders,
    ]) {
      for (const key of [
        "name",
        "description",
        "type",
        "projectType",
        "vendor",
        "externalId",
        "createdAt",
        "updatedAt",
      ]) {
        expect(header[key], key).not.toBeNull();
      }
      expect(header.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      expect(header.updatedAt).toMatch(/T/);
    }
  });

  it("duplicates a template keeping its name, description and type (4)", async () => {
    const id = (await legacy("POST", "/v1/template/id/dup-me", { ...legacyTemplate, type: "eventTicket" })).json
      .templateId;
    for (const path of [`/v1/template/duplicate/${id}`, "/v1/template/duplicate/id/dup-me"]) {
      const copy = await legacy("POST", path, {});
      expect(copy.status, copy.text).toBe(200);
      expect(copy.json).toEqual({ templateId: expect.any(Number) });
      const header = (await legacy("GET", `/v1/template/${copy.json.templateId}`)).json.templateHeader;
      expect(header).toMatchObject({ name: "Légacy Card", description: "A PassTools template", type: "Event Ticket" });
    }
  });
});

describe("legacy passes", () => {
  let templateId: number;
  let otherTemplateId: number;
  beforeAll(async () => {
    templateId = (await legacy("POST", "/v1/template", legacyTemplate)).json.templateId;
    otherTemplateId = (await legacy("POST", "/v1/template", legacyTemplate)).json.templateId;
  });

  it("downloads and views a pass by its external id: 404 none, 409 naming the templates when ambiguous (5)", async () => {
    await legacy("POST", `/v1/pass/${templateId}/id/only-one`, { fields: { points: { value: "5" } } });
    const download = await legacy("GET", "/v1/pass/id/only-one/download");
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/vnd.apple.pkpass");
    const view = await legacy("GET", "/v1/pass/id/only-one/viewJSONPass");
    expect(view.status).toBe(200);
    expect((view.json.storeCard.primaryFields as { value: unknown }[])[0]!.value).toBe("5");
    expect((await legacy("GET", "/v1/pass/id/nobody/download")).status).toBe(404);
    await legacy("POST", `/v1/pass/${templateId}/id/twice`, {});
    await legacy("POST", `/v1/pass/${otherTemplateId}/id/twice`, {});
    for (const suffix of ["download", "viewJSONPass"]) {
      const ambiguous = await legacy("GET", `/v1/pass/id/twice/${suffix}`);
      expect(ambiguous.status).toBe(409);
      expect(ambiguous.json.error).toContain(String(templateId));
      expect(ambiguous.json.details.templates.sort()).toEqual([templateId, otherTemplateId].sort());
    }
  });

  it("re-sends a pass to its devices with PUT push, unchanged (6)", async () => {
    const created = (await legacy("POST", `/v1/pass/${templateId}/id/pushed`, {})).json;
    const passJson = (await legacy("GET", `/v1/pass/${created.id}/viewJSONPass`)).json;
    const register = await fetch(
      `${server.baseUrl}/apple/v1/devices/legacy-device/registrations/${passJson.passTypeIdentifier}/${passJson.serialNumber}`,
      {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `ApplePass ${passJson.authenticationToken}` },
        body: JSON.stringify({ pushToken: "beef01" }),
      },
    );
    expect(register.status).toBe(201);
    const before = (await server.call("GET", `/v1/pass/${created.id}`)).json;
    for (const path of [`/v1/pass/${created.id}/push`, "/v1/pass/id/pushed/push"]) {
      const pushed = await legacy("PUT", path);
      expect(pushed.status, pushed.text).toBe(200);
      expect(pushed.json).toEqual({ status: "success", passId: created.id, ticketId: expect.any(Number) });
    }
    await until(
      async () => apns.pushes.filter((p) => p.token === "beef01"),
      (pushes) => pushes.length >= 1,
    );
    const after = (await server.call("GET", `/v1/pass/${created.id}`)).json;
    expect(after.fields).toEqual(before.fields);
    expect(after.headers).toEqual(before.headers);
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
  });

  it("adds locations sent as a JSON array of objects or of JSON strings, and as {locations} (7)", async () => {
    const pass = (await legacy("POST", `/v1/pass/${templateId}`, {})).json;
    const asObjects = await legacy("POST", `/v1/pass/${pass.id}/locations`, [referenceLocation]);
    expect(asObjects.status, asObjects.text).toBe(200);
    expect(asObjects.json).toEqual([
      { passLocationId: expect.any(Number), value: expect.objectContaining({ latitude: 37.618 }) },
    ]);
    const asStrings = await legacy("POST", `/v1/pass/${pass.id}/locations`, [
      JSON.stringify({ longitude: -122.1, latitude: 37.1 }),
    ]);
    expect(asStrings.json).toEqual([
      { passLocationId: expect.any(Number), value: expect.objectContaining({ latitude: 37.1 }) },
    ]);
    const wrapped = await legacy("POST", `/v1/pass/${pass.id}/locations`, {
      locations: [{ longitude: 1, latitude: 2 }],
    });
    expect(wrapped.json).toHaveLength(1);
    expect(typeof wrapped.json[0].passLocationId).toBe("number");
    const template = await legacy("POST", `/v1/template/${templateId}/locations`, [JSON.stringify(referenceLocation)]);
    expect(template.status, template.text).toBe(200);
    expect((await legacy("POST", `/v1/pass/${pass.id}/locations`, ["not json"])).status).toBe(400);
  });

  it("reads form bodies as UTF-8 whatever charset they declare; api_key encoded twice; page=0 is the first page (8)", async () => {
    const created = await legacy("POST", "/v1/template", { ...legacyTemplate, name: "Crème brûlée ☕" });
    const header = (await legacy("GET", `/v1/template/${created.json.templateId}`)).json.templateHeader;
    expect(header.name).toBe("Crème brûlée ☕");
    const doubly = encodeURIComponent(apiKey); // ":" → %3A, then form-encoded again below → %253A
    const twice = await legacy("POST", "/v1/template", legacyTemplate, doubly);
    expect(twice.status, twice.text).toBe(200);
    const query = await fetch(`${server.baseUrl}/v1/project?api_key=${encodeURIComponent(doubly)}`);
    expect(query.status).toBe(200);
    const first = await legacy("GET", "/v1/template/headers?page=0&pageSize=2");
    expect(first.status).toBe(200);
    expect(first.json.pagination).toMatchObject({ page: 1, start: 0, pageSize: 2 });
  });
});

describe("tags as Airship clients use them", () => {
  let templateId: number;
  let passId: number;
  beforeAll(async () => {
    templateId = (await legacy("POST", "/v1/template", legacyTemplate)).json.templateId;
    passId = (await legacy("POST", `/v1/pass/${templateId}/id/tagged-1`, { tags: ["existing"] })).json.id;
  });

  it("adds tags with PUT, answering the new ones; at most 15 (9)", async () => {
    const added = await legacy("PUT", `/v1/pass/${passId}/tags`, { tags: ["vip", "existing", "gold"] });
    expect(added.status, added.text).toBe(200);
    expect(added.json).toEqual({ newTags: ["vip", "gold"], mappings: 2 });
    const byExternal = await legacy("PUT", "/v1/pass/id/tagged-1/tags", { tags: ["spring"] });
    expect(byExternal.json).toEqual({ newTags: ["spring"], mappings: 1 });
    const names = (await legacy("GET", `/v1/pass/${passId}/tags`)).json.tags.map((t: { name: string }) => t.name);
    expect(names.sort()).toEqual(["existing", "gold", "spring", "vip"]);
    const tooMany = await legacy("PUT", `/v1/pass/${passId}/tags`, {
      tags: Array.from({ length: 12 }, (_, i) => `extra${i}`),
    });
    expect(tooMany.status).toBe(400);
    expect((await legacy("GET", `/v1/pass/${passId}/tags`)).json.tags).toHaveLength(4);
  });

  it("lists a pass's tags as objects with integer ids (10)", async () => {
    const { tags } = (await legacy("GET", `/v1/pass/${passId}/tags`)).json;
    for (const tag of tags) {
      expect(tag).toEqual({
        id: expect.any(Number),
        tag: expect.any(String),
        name: tag.tag,
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      });
      expect(Number.isInteger(tag.id)).toBe(true);
    }
  });

  it("updates every pass carrying a tag, then takes the tag off them all (11)", async () => {
    const second = (await legacy("POST", `/v1/pass/${templateId}`, { tags: ["bulk"] })).json.id;
    await legacy("PUT", `/v1/pass/${passId}/tags`, { tags: ["bulk"] });
    const untagged = (await legacy("POST", `/v1/pass/${templateId}`, {})).json.id;
    const update = await legacy("PUT", "/v1/tag/bulk/passes", {
      fields: { points: { value: "99" } },
      headers: { logo_text: { value: "Bulk!" } },
    });
    expect(update.status, update.text).toBe(200);
    expect(Object.keys(update.json)).toEqual(["ticketId"]);
    expect(Number.isInteger(update.json.ticketId)).toBe(true);
    for (const id of [passId, second]) {
      const pass = (await legacy("GET", `/v1/pass/${id}`)).json;
      expect(pass.fields.points.value).toBe("99");
      expect(pass.headers.logo_text.value).toBe("Bulk!");
    }
    expect((await legacy("GET", `/v1/pass/${untagged}`)).json.fields.points.value).toBe("10");
    expect((await legacy("PUT", "/v1/tag/bulk/passes", { fields: { nowhere: { value: "x" } } })).status).toBe(400);

    const removed = await legacy("DELETE", "/v1/tag/bulk/passes");
    expect(removed.json).toEqual({ status: "success", count: 2, tagId: expect.any(Number) });
    const list = await legacy("GET", "/v1/tag/bulk/passes");
    expect(list.status).toBe(200);
    expect(list.json.passes).toEqual([]);
  });

  it("takes a tag off one pass, or deletes it, answering counts and ids (12)", async () => {
    await legacy("PUT", `/v1/pass/${passId}/tags`, { tags: ["solo", "everywhere"] });
    const other = (await legacy("POST", `/v1/pass/${templateId}/id/tagged-2`, { tags: ["solo", "everywhere"] })).json
      .id;
    const byId = await legacy("DELETE", `/v1/tag/solo/pass/${passId}`);
    expect(byId.json).toEqual({ status: "success", success: "success", passId, tagId: expect.any(Number) });
    const byExternal = await legacy("DELETE", "/v1/tag/solo/pass/id/tagged-2");
    expect(byExternal.json).toEqual({ status: "success", success: "success", passId: other, tagId: byId.json.tagId });
    const deleted = await legacy("DELETE", "/v1/tag/everywhere");
    expect(deleted.json).toEqual({ status: "success", success: "success", count: 2, tagId: expect.any(Number) });
    expect((await legacy("DELETE", "/v1/tag/everywhere")).status).toBe(404);
  });
});

describe("the reference's examples", () => {
  it("answers passFields from every create form (13)", async () => {
    const project = (await server.call("POST", "/v1/project", { body: { name: "Ref", projectType: "memberCard" } }))
      .json;
    const template = (await server.call("POST", `/v1/template/${project.id}/id/ref-template`, { body: appleTemplate }))
      .json.templateId;
    for (const path of [`/v1/pass/${template}`, `/v1/pass/${template}/id/pf-1`, "/v1/pass/id/ref-template/id/pf-2"]) {
      const created = await server.call("POST", path, { body: { fields: { Coupon: { value: "30%" } } } });
      expect(created.status, path).toBe(200);
      expect(created.json.passFields.Coupon, path).toMatchObject({ fieldType: "PRIMARY", value: "30%" });
      expect(created.json.passFields.logo_text, path).toMatchObject({ fieldType: "TOP_LEVEL" });
    }
  });

  it("applies an adaptive link pass update's beacons to the Apple pass only, in both forms (14)", async () => {
    const project = (
      await server.call("POST", "/v1/project/id/myExternalProject", { body: { name: "L", projectType: "loyalty" } })
    ).json;
    const details = { Details: { fieldType: "back", value: "", label: "Details" } };
    const ios = (
      await server.call("POST", `/v1/template/${project.id}`, {
        body: { ...appleTemplate, fields: { ...appleTemplate.fields, ...details } },
      })
    ).json.templateId;
    const android = (
      await server.call("POST", `/v1/template/${project.id}`, {
        body: { ...googleTemplate, textModulesData: { Details: { label: "Details", value: "" } } },
      })
    ).json.templateId;
    const link = await server.call("POST", `/v1/links/adaptive/project/${project.id}/id/coolNewAdaptiveLink`, {
      body: { iosTemplateId: ios, androidTemplateId: android },
    });
    expect(link.status, link.text).toBe(200);
    const id = link.json.adaptiveLinkId;
    for (const device of ["ios", "android"]) {
      const made = await fetch(`${server.baseUrl}/v1/pass/adaptive/${id}/${device}?exid=mypass`, {
        redirect: "manual",
      });
      expect([200, 302]).toContain(made.status);
    }
    const body = {
      fields: {
        Details: { changeMessage: "Enjoy %@ off your next order!", value: "20%", label: "Coupon" },
        thumbnail_image: { value: "https://wallet.urbanairship.com/assets/favicon.png" },
      },
      beacons: [
        { uuid: "55502220-A123-A88A-F321-555A444B333C", relevantText: "You are near the Ship", major: 1, minor: 777 },
      ],
      locations: [referenceLocation],
    };
    for (const path of [
      `/v1/links/adaptive/${id}/passes/id/mypass`,
      "/v1/links/adaptive/project/id/myExternalProject/id/coolNewAdaptiveLink/passes/id/mypass",
    ]) {
      const updated = await server.call("PUT", path, { body });
      expect(updated.status, `${path}: ${updated.text}`).toBe(200);
      expect(updated.json.tickets).toHaveLength(2);
    }
    const { rows } = await server.database.query<{ vendor: string; beacons: unknown }>(
      `SELECT t.vendor, p.beacons FROM passes p JOIN templates t ON t.id = p.template_id
        WHERE p.adaptive_link_id = $1 AND p.external_id = 'mypass'`,
      [id],
    );
    expect(rows.find((r) => r.vendor === "Apple")?.beacons).toEqual([
      { uuid: "55502220-A123-A88A-F321-555A444B333C", relevantText: "You are near the Ship", major: 1, minor: 777 },
    ]);
    expect(rows.find((r) => r.vendor === "Google")?.beacons).toBeNull();
  });

  it("answers a project's appleCertificateId once it has its own certificate (15)", async () => {
    const project = (
      await server.call("POST", "/v1/project/id/certs", { body: { name: "Certs", projectType: "loyalty" } })
    ).json;
    expect(project.appleCertificateId).toBeUndefined();
    const imported = await server.call("PUT", `/v1/project/${project.id}/apple/certificate`, {
      body: { certificate: pki.passCertPem, privateKey: pki.passKeyPem },
    });
    expect(imported.status, imported.text).toBe(200);
    const got = (await server.call("GET", `/v1/project/${project.id}`)).json;
    expect(got.appleCertificateId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const listed = (await server.call("GET", "/v1/project?pageSize=100")).json.projects.find(
      (p: { id: number }) => p.id === project.id,
    );
    expect(listed.appleCertificateId).toBe(got.appleCertificateId);
    // Its copies, by id and by external id, sign with the same certificate and say so.
    for (const path of [`/v1/project/duplicate/${project.id}`, "/v1/project/duplicate/id/certs"]) {
      const copy = await server.call("POST", path);
      expect(copy.status, path).toBe(200);
      expect(copy.json.appleCertificateId, path).toBe(got.appleCertificateId);
      expect((await server.call("GET", `/v1/project/${copy.json.id}`)).json.appleCertificateId).toBe(
        got.appleCertificateId,
      );
    }
  });

  it("answers an adaptive link's effective expiry when created without one (16)", async () => {
    const template = (await legacy("POST", "/v1/template", legacyTemplate)).json.templateId;
    const link = await server.call("POST", "/v1/links/adaptive", { body: { iosTemplateId: template } });
    const expected = new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10);
    expect(link.json.expiry).toBe(expected);
    expect(link.json.isExpired).toBe(false);
  });

  it("gives a project's barcode settings to its templates' passes that name no barcode (17)", async () => {
    const project = (
      await server.call("POST", "/v1/project", {
        body: {
          name: "Aztec Barcode",
          projectType: "loyalty",
          settings: {
            barcode_type: "aztec",
            barcode_encoding: "utf-8",
            barcode_label: "Member ID",
            barcode_default_value: "M-0001",
          },
        },
      })
    ).json;
    const template = (await server.call("POST", `/v1/template/${project.id}`, { body: legacyTemplate })).json
      .templateId;
    const plain = (await server.call("POST", `/v1/pass/${template}`, { body: {} })).json.id;
    const own = (
      await server.call("POST", `/v1/pass/${template}`, { body: { headers: { barcode_value: { value: "OWN-7" } } } })
    ).json.id;
    const bundle = unpack(
      Buffer.from(
        await (
          await fetch(`${server.baseUrl}/v1/pass/${plain}/download`, {
            headers: { authorization: `Basic ${Buffer.from(apiKey).toString("base64")}` },
          })
        ).arrayBuffer(),
      ),
    );
    expect(bundle.passJson.barcodes).toEqual([
      { format: "PKBarcodeFormatAztec", message: "M-0001", messageEncoding: "utf-8", altText: "Member ID" },
    ]);
    const ownJson = (await server.call("GET", `/v1/pass/${own}/viewJSONPass`)).json;
    expect((ownJson.barcodes as { message: string; format: string }[])[0]).toMatchObject({
      message: "OWN-7",
      format: "PKBarcodeFormatAztec",
    });
  });
});
