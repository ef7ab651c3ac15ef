import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appleTemplate, googleTemplate, passCreate, referenceLocation } from "../fixtures/reference.js";
import { type Credentials, startTestServer, type TestServer } from "../helpers/app.js";
import { until } from "../helpers/wait.js";

let server: TestServer;
let other: Credentials;
let projectId: number;
let appleId: number;
let googleId: number;
const delivered: { passId: number; version: number }[] = [];

beforeAll(async () => {
  server = await startTestServer({
    worker: true,
    subscribers: [
      async (changes) => {
        delivered.push(...changes);
      },
    ],
  });
  other = await server.newAccount("other");
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Passes", projectType: "memberCard" } })).json
    .id;
  appleId = (await server.call("POST", `/v1/template/${projectId}/id/apple`, { body: appleTemplate })).json.templateId;
  googleId = (await server.call("POST", `/v1/template/${projectId}/id/google`, { body: googleTemplate })).json
    .templateId;
});
afterAll(() => server.close());

describe("create and get", () => {
  it("creates the reference pass and answers the merged view", async () => {
    const res = await server.call("POST", `/v1/pass/${appleId}`, { body: passCreate });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: expect.any(Number),
      templateId: appleId,
      serialNumber: expect.stringMatching(/^[0-9a-f-]{36}$/),
      url: expect.stringMatching(/\/v1\/pass\/\d+\/download$/),
      publicUrl: { path: expect.stringContaining("/v1/download/pass/"), type: "Single", used: false, installs: 0 },
      beacons: passCreate.beacons,
      status: "not_been_installed",
      tags: [],
    });
    expect(res.json.locations).toEqual([{ id: expect.any(Number), ...referenceLocation }]);
    // Template values with the pass's overrides on top.
    expect(res.json.fields.Coupon).toMatchObject({ value: "20%", label: "Coupon", fieldType: "primary", order: 1 });
    expect(res.json.fields.InStore).toMatchObject({ value: "1234 Fake St.", label: "nearestStore" });
    expect(res.json.headers.barcode_value).toMatchObject({ value: "abc1234567890" });
    expect(res.json.headers.thumbnail_image.value).toBe("https://wallet.urbanairship.com/assets/favicon.png");
    expect(res.json.headers.logo_text).toMatchObject({ value: "Logo Text", fieldType: "topLevel" });

    // As the reference's create response: passFields, headers and fields in one map with their field types.
    expect(res.json.passFields.Coupon).toMatchObject({
      fieldType: "PRIMARY",
      value: "20%",
      label: "Coupon",
      changeMessage: "Enjoy %@ off your next order!",
      required: false,
    });
    expect(res.json.passFields.logo_text).toMatchObject({ fieldType: "TOP_LEVEL", value: "Logo Text" });
    expect(res.json.passFields.thumbnail_image).toMatchObject({ fieldType: "image" });

    const got = await server.call("GET", `/v1/pass/${res.json.id}`);
    expect(got.status).toBe(200);
    const { passFields: _passFields, ...view } = res.json;
    expect(got.json).toEqual(view);
  });

  it("creates with external ids: pass, template, both, and the template/{id}/id form", async () => {
    const a = await server.call("POST", `/v1/pass/${appleId}/id/member-1`, {
      body: { fields: { Coupon: { value: "5%" } } },
    });
    expect(a.status).toBe(200);
    expect(a.json.externalId).toBe("member-1");
    const b = await server.call("POST", "/v1/pass/id/google/id/member-1", {
      body: { fields: { Points: { value: 10 } } },
    });
    expect(b.status).toBe(200);
    expect(b.json.templateId).toBe(googleId);
    const c = await server.call("POST", "/v1/pass/id/apple", { body: {} });
    expect(c.status).toBe(200);
    expect(c.json.externalId).toBeUndefined();
    const dup = await server.call("POST", `/v1/pass/${appleId}/id/member-1`, { body: {} });
    expect(dup.status).toBe(409);

    // Two passes now share "member-1": the bare external id is ambiguous.
    const ambiguous = await server.call("GET", "/v1/pass/id/member-1");
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.json.code).toBe("TEMPLATES_REQUIRED");
    const picked = await server.call("GET", `/v1/pass/template/${googleId}/id/member-1`);
    expect(picked.json.id).toBe(b.json.id);
    expect(picked.json.fields.Points).toMatchObject({ value: 10, fieldType: "pointsModule" });
  });

  it("rejects unknown fields, non-numbers in Number fields, bad dates, beacons on Google and an 11th location", async () => {
    const count = async () =>
      (await server.database.query<{ n: number }>("SELECT count(*)::int AS n FROM passes")).rows[0]!.n;
    const before = await count();
    const cases: [number, unknown, string][] = [
      [appleId, { fields: { Nope: { value: "x" }, Other: { value: "y" } } }, "Nope, Other"],
      [googleId, { fields: { Points: { value: "lots" } } }, "Points"],
      [appleId, { headers: { expirationDate: { value: "someday" } } }, "expirationDate"],
      [appleId, { headers: { background_color: { value: "rgb(1,2)" } } }, "background_color"],
      [googleId, { beacons: passCreate.beacons }, "beacons"],
      [appleId, { locations: Array.from({ length: 11 }, () => referenceLocation) }, "at most 10"],
      [appleId, { locations: [{ latitude: 10, longitude: 200 }] }, "longitude"],
      [appleId, { tags: [1, 2] }, "tags"],
    ];
    for (const [templateId, body, word] of cases) {
      const res = await server.call("POST", `/v1/pass/${templateId}`, { body });
      expect(res.status, word).toBe(400);
      expect(res.json.error, word).toContain(word);
    }
    expect(await count()).toBe(before);
  });
});

describe("dynamic passes and legacy clients", () => {
  it("generates a pass with an expiry and an external id in the body", async () => {
    const res = await server.call("POST", `/v1/pass/${appleId}/dynamic?expiry=2030-05-18`, {
      body: { ...passCreate, externalId: "abcd", publicUrl: undefined, publicURL: { type: "single" } },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      id: expect.any(Number),
      serialNumber: expect.any(String),
      url: expect.stringContaining("/download"),
    });
    const got = (await server.call("GET", `/v1/pass/${res.json.id}`)).json;
    expect(got.externalId).toBe("abcd");
    expect(got.headers.expirationDate.value).toBe("2030-05-18");
    expect(got.publicUrl.type).toBe("Single");
    expect((await server.call("POST", `/v1/pass/${appleId}/dynamic?expiry=soon`, { body: {} })).status).toBe(400);
    // The reference's own spelling of the call.
    const literal = await server.call("POST", `/v1/pass/${appleId}/dynamic&expiry=2017-05-18`, { body: {} });
    expect(literal.status).toBe(200);
    expect((await server.call("GET", `/v1/pass/${literal.json.id}`)).json.headers.expirationDate.value).toBe(
      "2017-05-18",
    );
    expect((await server.call("POST", `/v1/pass/${appleId}/whatever`, { body: {} })).status).toBe(404);
  });

  it("accepts the legacy form body (json= and api_key=) on pass routes", async () => {
    const form = new URLSearchParams({
      json: JSON.stringify({ fields: { Coupon: { value: "30%" } } }),
      api_key: server.credentials.secret,
    });
    const created = await server.call("POST", `/v1/pass/${appleId}`, {
      rawBody: form.toString(),
      contentType: "application/x-www-form-urlencoded",
      as: null,
    });
    expect(created.status).toBe(200);
    expect(created.json.fields.Coupon.value).toBe("30%");
    const update = new URLSearchParams({
      json: JSON.stringify({ fields: { Coupon: { value: "40%" } } }),
      api_key: server.credentials.secret,
    });
    const updated = await server.call("PUT", `/v1/pass/${created.json.id}`, {
      rawBody: update.toString(),
      contentType: "application/x-www-form-urlencoded",
      as: null,
    });
    expect(updated.json).toEqual({ ticketId: expect.any(Number) });
    const got = await server.call("GET", `/v1/pass/${created.json.id}?api_key=${server.credentials.secret}`, {
      as: null,
    });
    expect(got.json.fields.Coupon.value).toBe("40%");
  });
});

describe("update", () => {
  it("updates values, labels and change messages partially and returns a done ticket", async () => {
    const pass = (await server.call("POST", `/v1/pass/${appleId}`, { body: { fields: { Coupon: { value: "10%" } } } }))
      .json;
    const res = await server.call("PUT", `/v1/pass/${pass.id}`, {
      body: {
        headers: { expirationDate: { value: "2024-08-20T9:41-08:00" } },
        fields: { InStore: { value: "1 Main St.", label: "store", changeMessage: "Now at %@" } },
      },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ticketId: expect.any(Number) });
    const ticket = await server.call("GET", `/v1/ticket/${res.json.ticketId}`);
    expect(ticket.json).toMatchObject({ status: "done", progress: { done: 1, total: 1 }, passId: pass.id });
    const got = (await server.call("GET", `/v1/pass/${pass.id}`)).json;
    expect(got.fields.Coupon.value).toBe("10%");
    expect(got.fields.InStore).toMatchObject({ value: "1 Main St.", label: "store", changeMessage: "Now at %@" });
    expect(got.headers.expirationDate.value).toBe("2024-08-20T9:41-08:00");

    const voided = await server.call("PUT", `/v1/pass/${pass.id}`, {
      body: { headers: { expirationDate: { label: "voided" } } },
    });
    expect(voided.status).toBe(200);
    expect((await server.call("GET", `/v1/pass/${pass.id}`)).json.headers.expirationDate).toMatchObject({
      label: "voided",
      value: "2024-08-20T9:41-08:00",
    });
    // Each change is delivered as a "pass changed" event carrying the new version.
    const events = await until(
      async () => delivered.filter((e) => e.passId === pass.id),
      (e) => e.some((x) => x.version >= 3),
    );
    expect(Math.max(...events.map((e) => e.version))).toBe(3);
  });

  it("replaces locations and beacons as sets, and leaves everything untouched on a 400", async () => {
    const pass = (await server.call("POST", `/v1/pass/${appleId}`, { body: passCreate })).json;
    const loc2 = { ...referenceLocation, latitude: 40, relevantText: "Second" };
    await server.call("PUT", `/v1/pass/${pass.id}`, { body: { locations: [loc2], beacons: [] } });
    const got = (await server.call("GET", `/v1/pass/${pass.id}`)).json;
    expect(got.locations.map((l: { relevantText: string }) => l.relevantText)).toEqual(["Second"]);
    expect(got.beacons).toEqual([]);
    const bad = await server.call("PUT", `/v1/pass/${pass.id}`, {
      body: { fields: { Coupon: { value: "1%" }, Missing: { value: "x" } }, locations: [] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain("Missing");
    expect((await server.call("GET", `/v1/pass/${pass.id}`)).json).toEqual(got);
  });

  it("updates by external id with a templates array: one ticket per template, in order", async () => {
    await server.call("POST", `/v1/pass/${appleId}/id/shared`, { body: {} });
    await server.call("POST", `/v1/pass/${googleId}/id/shared`, { body: {} });
    const ambiguous = await server.call("PUT", "/v1/pass/id/shared", { body: { fields: { Coupon: { value: "1" } } } });
    expect(ambiguous.status).toBe(400);
    const res = await server.call("PUT", "/v1/pass/id/shared", {
      body: { templates: [String(googleId), appleId], fields: { "Tier Name": { value: "Gold" } } },
    });
    // "Tier Name" exists only on the Google template: the Apple pass rejects it, so nothing is written.
    expect(res.status).toBe(400);
    const ok = await server.call("PUT", "/v1/pass/id/shared", {
      body: { templates: [googleId], fields: { "Tier Name": { value: "Gold" } } },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual([{ ticketId: expect.any(Number) }]);
    const both = await server.call("PUT", "/v1/pass/id/shared", {
      body: { templates: [googleId, appleId], headers: { barcode_value: { value: "999" } } },
    });
    expect(both.json).toHaveLength(2);
    expect(both.json[0].ticketId).toBeLessThan(both.json[1].ticketId);
    const one = await server.call("PUT", `/v1/pass/template/${appleId}/id/shared`, {
      body: { fields: { Coupon: { value: "3%" } } },
    });
    expect(one.json).toEqual({ ticketId: expect.any(Number) });
  });
});

describe("merge rules and bulk updates", () => {
  it("reaches every pass that did not override a value when the template changes", async () => {
    const { templateId } = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json;
    const plain = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
    const own = (
      await server.call("POST", `/v1/pass/${templateId}`, { body: { fields: { InStore: { value: "Mine" } } } })
    ).json;
    const changed = structuredClone(appleTemplate);
    changed.fields.InStore.value = "99 New St.";
    changed.fields.Coupon.label = "deal";
    await server.call("PUT", `/v1/template/${templateId}`, { body: changed });
    const a = (await server.call("GET", `/v1/pass/${plain.id}`)).json;
    const b = (await server.call("GET", `/v1/pass/${own.id}`)).json;
    expect(a.fields.InStore.value).toBe("99 New St.");
    expect(b.fields.InStore.value).toBe("Mine");
    expect(a.fields.Coupon.label).toBe("deal");
    expect(b.fields.Coupon.label).toBe("deal");
  });

  it("publishes a bulk update to every pass through a ticket that reaches done", async () => {
    const { templateId } = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json;
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const body = i === 0 ? { fields: { Coupon: { value: "own", label: "kept label" } } } : {};
      ids.push((await server.call("POST", `/v1/pass/${templateId}`, { body })).json.id);
    }
    const res = await server.call("PUT", `/v1/template/${templateId}/passes`, {
      body: { fields: { Coupon: { value: "50%" }, barcode_value: { value: "55555" } } },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ticketId: expect.any(Number) });
    const ticket = await until(
      async () => (await server.call("GET", `/v1/ticket/${res.json.ticketId}`)).json,
      (t) => t.status === "done",
    );
    expect(ticket).toMatchObject({ status: "done", kind: "template-bulk-update", progress: { done: 5, total: 5 } });
    for (const id of ids) {
      const pass = (await server.call("GET", `/v1/pass/${id}`)).json;
      expect(pass.fields.Coupon.value).toBe("50%");
      expect(pass.headers.barcode_value.value).toBe("55555");
    }
    expect((await server.call("GET", `/v1/pass/${ids[0]}`)).json.fields.Coupon.label).toBe("kept label");
    const { rows } = await server.database.query("SELECT version FROM passes WHERE id = ANY($1) ORDER BY id", [ids]);
    expect(rows.map((r) => r.version)).toEqual([2, 2, 2, 2, 2]);
    const bad = await server.call("PUT", `/v1/template/${templateId}/passes`, {
      body: { fields: { Nope: { value: 1 } } },
    });
    expect(bad.status).toBe(400);
  });
});

describe("lists, status filters, tags, locations", () => {
  it("filters by the four statuses and by template", async () => {
    const { templateId } = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json;
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push((await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json.id);
    await server.database.query(
      "UPDATE passes SET status = 'installed', platform = 'ios', installed_at = now() WHERE id = $1",
      [ids[0]],
    );
    await server.database.query(
      "UPDATE passes SET status = 'uninstalled', platform = 'android', installed_at = now(), uninstalled_at = now() WHERE id = $1",
      [ids[1]],
    );
    const list = async (q: string) =>
      (await server.call("GET", `/v1/pass?templateId=${templateId}&${q}`)).json.passes
        .map((p: { id: number }) => p.id)
        .sort();
    expect(await list("status=installed")).toEqual([ids[0]]);
    expect(await list("status=uninstalled")).toEqual([ids[1]]);
    expect(await list("status=been_installed")).toEqual([ids[0], ids[1]].sort());
    expect(await list("status=not_been_installed")).toEqual([ids[2], ids[3]].sort());
    const viaTemplate = await server.call("GET", `/v1/template/${templateId}/passes?status=installed`);
    expect(viaTemplate.json.passes).toEqual([
      expect.objectContaining({ id: ids[0], status: "installed", platform: "ios", installedAt: expect.any(String) }),
    ]);
    expect((await server.call("GET", `/v1/pass?status=bogus`)).status).toBe(400);
    // Counts come from trigger-maintained counters: exact through status changes and deletes.
    const count = async (q: string) => (await server.call("GET", `/v1/pass?templateId=${templateId}&${q}`)).json.count;
    expect([
      await count("status=installed"),
      await count("status=been_installed"),
      await count("status=not_been_installed"),
    ]).toEqual([1, 2, 2]);
    await server.database.query("UPDATE passes SET status = 'installed' WHERE id = $1", [ids[2]]);
    await server.call("DELETE", `/v1/pass/${ids[3]}`);
    expect([
      await count("status=installed"),
      await count("status=not_been_installed"),
      await count("pageSize=1"),
    ]).toEqual([2, 0, 3]);
    await server.database.query("UPDATE passes SET status = 'not_been_installed' WHERE id = $1", [ids[2]]);
    ids.pop();
    await server.call("POST", `/v1/pass/${templateId}`, { body: {} }).then((r) => ids.push(r.json.id));
    const page = await server.call("GET", `/v1/pass?templateId=${templateId}&pageSize=2&order=createdAt&direction=ASC`);
    expect(page.json.count).toBe(4);
    expect(page.json.passes.map((p: { id: number }) => p.id)).toEqual(ids.slice(0, 2));
  });

  it("tags passes through create, update and the legacy tag routes", async () => {
    const pass = (await server.call("POST", `/v1/pass/${appleId}/id/tagged`, { body: { tags: ["vip", "spring"] } }))
      .json;
    expect(pass.tags.sort()).toEqual(["spring", "vip"]);
    expect((await server.call("GET", "/v1/tag/vip/passes")).json.passes.map((p: { id: number }) => p.id)).toEqual([
      pass.id,
    ]);
    await server.call("PUT", `/v1/pass/${pass.id}`, { body: { tags: ["gold"] } });
    const names = async () =>
      (await server.call("GET", `/v1/pass/${pass.id}/tags`)).json.tags.map((t: { name: string }) => t.name).sort();
    expect(await names()).toEqual(["gold"]);
    expect((await server.call("PUT", "/v1/tag/summer/pass/id/tagged")).status).toBe(200);
    expect((await server.call("PUT", `/v1/tag/vip/pass/${pass.id}`)).status).toBe(200);
    expect(await names()).toEqual(["gold", "summer", "vip"]);
    expect((await server.call("DELETE", `/v1/tag/gold/pass/${pass.id}`)).status).toBe(200);
    expect((await server.call("PUT", `/v1/pass/${pass.id}/tags`, { body: { tags: ["a", "b", "vip"] } })).json).toEqual({
      newTags: ["a", "b"],
      mappings: 2,
    });
    const tags = (await server.call("GET", "/v1/tag?pageSize=1000")).json;
    expect(tags.tags.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(["a", "b", "vip", "summer"]));
    expect((await server.call("DELETE", "/v1/tag/a")).status).toBe(200);
    expect(await names()).toEqual(["b", "summer", "vip"]);
    expect((await server.call("GET", "/v1/tag/a/passes")).json.passes).toEqual([]);
  });

  it("pages the account's tags like every list", async () => {
    const pass = (await server.call("POST", `/v1/pass/${appleId}`, { body: {} })).json;
    const names = Array.from({ length: 12 }, (_, i) => `paged-${String(i).padStart(2, "0")}`);
    for (let i = 0; i < names.length; i += 6) {
      // A pass holds at most 15 tags: spread them over passes.
      const holder = i === 0 ? pass : (await server.call("POST", `/v1/pass/${appleId}`, { body: {} })).json;
      expect((await server.call("PUT", `/v1/pass/${holder.id}/tags`, { body: names.slice(i, i + 6) })).status).toBe(
        200,
      );
    }
    const all = (await server.call("GET", "/v1/tag?pageSize=1000")).json;
    expect(all.count).toBe(all.tags.length);
    const first = (await server.call("GET", "/v1/tag")).json;
    expect(first.count).toBe(all.count);
    expect(first.tags.length).toBe(Math.min(10, all.count));
    expect(first.pagination).toEqual({ order: "id", direction: "DESC", page: 1, start: 0, pageSize: 10 });
    const second = (await server.call("GET", "/v1/tag?order=name&direction=ASC&pageSize=5&page=2")).json;
    const sorted = all.tags.map((t: { name: string }) => t.name).sort();
    expect(second.tags.map((t: { name: string }) => t.name)).toEqual(sorted.slice(5, 10));
    expect(second.pagination).toEqual({ order: "name", direction: "ASC", page: 2, start: 5, pageSize: 5 });
    expect(second.tags[0]).toEqual({
      id: expect.any(Number),
      name: sorted[5],
      passCount: expect.any(Number),
      createdAt: expect.any(String),
    });
    expect((await server.call("GET", "/v1/tag?pageSize=1001")).json.code).toBe("INVALID_PAGE_SIZE");
    expect((await server.call("GET", "/v1/tag?order=passCount")).json.code).toBe("INVALID_ORDER");
  });

  it("adds and deletes pass locations within the Apple limit", async () => {
    const pass = (await server.call("POST", `/v1/pass/${appleId}`, { body: {} })).json;
    const added = await server.call("POST", `/v1/pass/${pass.id}/locations`, {
      body: { locations: [{ ...referenceLocation, longitude: "-122.374", latitude: "37.618" }] },
    });
    expect(added.status).toBe(200);
    expect(added.json).toEqual([
      { passLocationId: expect.any(Number), value: expect.objectContaining({ latitude: 37.618 }) },
    ]);
    const tooMany = await server.call("POST", `/v1/pass/${pass.id}/locations`, {
      body: { locations: Array.from({ length: 10 }, () => referenceLocation) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error).toContain("at most 10");
    expect((await server.call("DELETE", `/v1/pass/${pass.id}/location/${added.json[0].passLocationId}`)).status).toBe(
      200,
    );
    expect((await server.call("DELETE", `/v1/pass/${pass.id}/location/${added.json[0].passLocationId}`)).status).toBe(
      404,
    );
  });

  it("adds and deletes locations, and deletes the pass, in the pass/template/{templateId}/id/{externalId} form", async () => {
    await server.call("POST", `/v1/pass/${appleId}/id/located`, { body: {} });
    const base = `/v1/pass/template/${appleId}/id/located`;
    const added = await server.call("POST", `${base}/locations`, { body: { locations: [referenceLocation] } });
    expect(added.status, added.text).toBe(200);
    expect(added.json).toEqual([{ passLocationId: expect.any(Number), value: expect.any(Object) }]);
    expect((await server.call("GET", base)).json.locations).toHaveLength(1);
    const removed = await server.call("DELETE", `${base}/location/${added.json[0].passLocationId}`);
    expect(removed.status).toBe(200);
    expect((await server.call("GET", base)).json.locations ?? []).toHaveLength(0);
    expect((await server.call("DELETE", `${base}/location/${added.json[0].passLocationId}`)).status).toBe(404);
    expect(
      (
        await server.call("POST", `/v1/pass/template/${appleId}/id/nobody/locations`, {
          body: { locations: [referenceLocation] },
        })
      ).status,
    ).toBe(404);
    expect((await server.call("DELETE", base, { as: other })).status).toBe(404);
    const deleted = await server.call("DELETE", base);
    expect(deleted.status).toBe(200);
    expect((await server.call("GET", base)).status).toBe(404);
  });

  it("sets an Apple pass's beacons (201 with a ticket) by id, external id and template/external id; not Google's", async () => {
    const pass = (await server.call("POST", `/v1/pass/${appleId}/id/beaconed`, { body: {} })).json;
    const beacon = {
      uuid: "55502220-a123-a88a-f321-555a444b333c",
      relevantText: "Near the store",
      major: 2,
      minor: 346,
    };
    for (const path of [
      `/v1/pass/${pass.id}/beacons`,
      "/v1/pass/id/beaconed/beacons",
      `/v1/pass/template/${appleId}/id/beaconed/beacons`,
    ]) {
      const set = await server.call("PUT", path, { body: { beacons: [beacon] } });
      expect(set.status, `${path} ${set.text}`).toBe(201);
      expect(set.json).toEqual({ ticketId: expect.any(Number) });
    }
    const passJson = (await server.call("GET", `/v1/pass/${pass.id}/viewJSONPass`)).json;
    expect(passJson.beacons).toEqual([
      { proximityUUID: "55502220-A123-A88A-F321-555A444B333C", relevantText: "Near the store", major: 2, minor: 346 },
    ]);
    const cleared = await server.call("PUT", `/v1/pass/${pass.id}/beacons`, { body: { beacons: [] } });
    expect(cleared.status).toBe(201);
    expect((await server.call("GET", `/v1/pass/${pass.id}/viewJSONPass`)).json.beacons).toBeUndefined();
    const google = (await server.call("POST", `/v1/pass/${googleId}`, { body: {} })).json;
    const refused = await server.call("PUT", `/v1/pass/${google.id}/beacons`, { body: { beacons: [beacon] } });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toContain("Apple passes only");
    const bad = await server.call("PUT", `/v1/pass/${pass.id}/beacons`, { body: { beacons: [{ uuid: "nope" }] } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain("beacons[0].uuid");
    expect((await server.call("PUT", `/v1/pass/${pass.id}/beacons`, { body: {} })).status).toBe(400);
    expect((await server.call("PUT", "/v1/pass/999999/beacons", { body: { beacons: [] } })).status).toBe(404);
    // Messages are Google's: an Apple pass is told through …/notify.
    const message = await server.call("POST", "/v1/pass/id/beaconed/message", { body: { header: "h", body: "b" } });
    expect(message.status).toBe(400);
    expect(message.json.error).toContain("messages are for Google passes");
  });

  it("deletes passes and hides another account's passes behind 404", async () => {
    const pass = (await server.call("POST", `/v1/pass/${appleId}/id/mine`, { body: {} })).json;
    for (const [method, path, body] of [
      ["GET", `/v1/pass/${pass.id}`],
      ["PUT", `/v1/pass/${pass.id}`, { fields: { Coupon: { value: "1" } } }],
      ["DELETE", `/v1/pass/${pass.id}`],
      ["GET", "/v1/pass/id/mine"],
      ["PUT", "/v1/pass/id/mine", {}],
      ["POST", `/v1/pass/${pass.id}/locations`, { locations: [referenceLocation] }],
      ["GET", `/v1/pass/${pass.id}/tags`],
      ["PUT", `/v1/tag/x/pass/${pass.id}`],
      ["GET", `/v1/ticket/1`],
    ] as [string, string, unknown?][]) {
      const res = await server.call(method, path, { body, as: other });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await server.call("GET", "/v1/pass", { as: other })).json.count).toBe(0);
    const byExternal = (await server.call("POST", `/v1/pass/${appleId}/id/to-delete`, { body: {} })).json;
    expect((await server.call("DELETE", "/v1/pass/id/to-delete", { as: other })).status).toBe(404);
    expect((await server.call("DELETE", "/v1/pass/id/to-delete")).json).toEqual({
      status: "deleted",
      passId: byExternal.id,
    });
    expect((await server.call("GET", "/v1/pass/id/to-delete")).status).toBe(404);
    const del = await server.call("DELETE", `/v1/pass/${pass.id}`);
    expect(del.json).toEqual({ status: "deleted", passId: pass.id });
    expect((await server.call("GET", `/v1/pass/${pass.id}`)).status).toBe(404);
  });
});
