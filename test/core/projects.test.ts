import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Credentials, startTestServer, type TestServer } from "../helpers/app.js";

// The request body of the reference's "Create project" example.
const referenceProject = {
  name: "Aztec Barcode",
  projectType: "loyalty",
  description: "Aztec Barcode",
  settings: {
    barcode_alt_text: "123json=456789",
    barcode_label: "Member ID",
    barcode_default_value: "123456789",
    barcode_encoding: "iso-8859-1",
    barcode_type: "pdf417",
  },
};

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

let server: TestServer;
let other: Credentials;

beforeAll(async () => {
  server = await startTestServer();
  other = await server.newAccount("other account");
});
afterAll(() => server.close());

async function addTemplate(projectId: number, name: string, vendor = "Apple", type = "Store Card") {
  const { rows } = await server.database.query<{ id: number }>(
    `INSERT INTO templates (account_id, project_id, name, description, vendor, type, design)
     SELECT account_id, id, $2, 'a template', $3, $4, '{"expiryDuration": 730}' FROM projects WHERE id = $1
     RETURNING id`,
    [projectId, name, vendor, type],
  );
  return rows[0]!.id;
}

describe("create project", () => {
  it("answers the reference example with the project response shape", async () => {
    const res = await server.call("POST", "/v1/project", { body: referenceProject });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.json).toEqual({
      id: expect.any(Number),
      contextId: expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/),
      name: "Aztec Barcode",
      projectType: "loyalty",
      description: "Aztec Barcode",
      settings: referenceProject.settings,
      templates: [],
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    expect(res.json.externalId).toBeUndefined();
  });

  it("creates with an external id, refuses a second one in the same account (409) and allows it in another", async () => {
    const first = await server.call("POST", "/v1/project/id/67890", { body: referenceProject });
    expect(first.status).toBe(200);
    expect(first.json.externalId).toBe("67890");
    const again = await server.call("POST", "/v1/project/id/67890", { body: referenceProject });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ code: "PROJECT_EXISTS", error: expect.stringContaining("67890") });
    const elsewhere = await server.call("POST", "/v1/project/id/67890", { body: referenceProject, as: other });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.json.id).not.toBe(first.json.id);
  });

  it("rejects missing names, unknown project types and non-object bodies with 400", async () => {
    const before = await server.database.query("SELECT count(*)::int AS n FROM projects");
    for (const body of [{ projectType: "loyalty" }, { name: "x", projectType: "spaceship" }, [1, 2], "text", 42]) {
      const res = await server.call("POST", "/v1/project", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json).toMatchObject({ error: expect.any(String), code: "VALIDATION_FAILED" });
    }
    const missingName = await server.call("POST", "/v1/project", { body: { projectType: "loyalty" } });
    expect(missingName.json.error).toContain("name");
    const after = await server.database.query("SELECT count(*)::int AS n FROM projects");
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it("answers malformed JSON with 400", async () => {
    const res = await server.call("POST", "/v1/project", { rawBody: '{"name": ' });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("MALFORMED_REQUEST");
  });
});

describe("get, update, duplicate and delete", () => {
  it("gets a project by id and by external id, with its template headers", async () => {
    const created = (await server.call("POST", "/v1/project/id/myProject", { body: referenceProject })).json;
    const templateId = await addTemplate(created.id, "Template 1");
    const byId = await server.call("GET", `/v1/project/${created.id}`);
    expect(byId.status).toBe(200);
    expect(byId.json).toMatchObject({ id: created.id, externalId: "myProject", name: "Aztec Barcode" });
    expect(byId.json.templates).toEqual([
      {
        id: templateId,
        name: "Template 1",
        description: "a template",
        vendor: "Apple",
        vendorId: 1,
        type: "Store Card",
        projectId: created.id,
        projectName: "Aztec Barcode",
        projectType: "loyalty",
        deleted: "False",
        disabled: "False",
        expiryDuration: 730,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      },
    ]);
    const byExternal = await server.call("GET", "/v1/project/id/myProject");
    expect(byExternal.json).toEqual(byId.json);
  });

  it("updates only the keys sent", async () => {
    const created = (await server.call("POST", "/v1/project/id/upd", { body: referenceProject })).json;
    await new Promise((r) => setTimeout(r, 5));
    const res = await server.call("PUT", `/v1/project/${created.id}`, {
      body: { name: "New And Improved Name", description: "Significantly more detailed description" },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: created.id,
      externalId: "upd",
      name: "New And Improved Name",
      description: "Significantly more detailed description",
      projectType: "loyalty",
      settings: referenceProject.settings,
      createdAt: created.createdAt,
    });
    expect(Date.parse(res.json.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    const byExternal = await server.call("PUT", "/v1/project/id/upd", { body: { settings: { barcode_type: "qr" } } });
    expect(byExternal.json).toMatchObject({ name: "New And Improved Name", settings: { barcode_type: "qr" } });
    const bad = await server.call("PUT", `/v1/project/${created.id}`, { body: { projectType: "nope" } });
    expect(bad.status).toBe(400);
    expect((await server.call("GET", `/v1/project/${created.id}`)).json.projectType).toBe("loyalty");
  });

  it("duplicates a project with its templates, by id and by external id", async () => {
    const created = (
      await server.call("POST", "/v1/project/id/dup", { body: { ...referenceProject, name: "LoyaltyCard" } })
    ).json;
    const withLocation = await addTemplate(created.id, "asykes-template-1234123", "Apple", "Generic");
    await addTemplate(created.id, "GW Template1", "Google", "Loyalty1");
    await server.database.query(
      "INSERT INTO locations (template_id, latitude, longitude, relevant_text) VALUES ($1, 37.618, -122.374, 'Hello')",
      [withLocation],
    );
    const copy = await server.call("POST", `/v1/project/duplicate/${created.id}`);
    expect(copy.status).toBe(200);
    expect(copy.json).toMatchObject({
      name: "Copy of LoyaltyCard",
      projectType: "loyalty",
      description: "Aztec Barcode",
      settings: referenceProject.settings,
      externalId: "Copy_of_dup",
    });
    expect(copy.json.id).not.toBe(created.id);
    expect(copy.json.contextId).not.toBe(created.contextId);
    expect(
      copy.json.templates.map((t: { name: string; vendorId: number; projectId: number }) => [
        t.name,
        t.vendorId,
        t.projectId,
      ]),
    ).toEqual([
      ["Copy of asykes-template-1234123", 1, copy.json.id],
      ["Copy of GW Template1", 2, copy.json.id],
    ]);
    const copiedLocations = await server.database.query(
      `SELECT l.relevant_text FROM locations l JOIN templates t ON t.id = l.template_id WHERE t.project_id = $1`,
      [copy.json.id],
    );
    expect(copiedLocations.rows).toEqual([{ relevant_text: "Hello" }]);
    const viaExternal = await server.call("POST", "/v1/project/duplicate/id/dup");
    expect(viaExternal.status).toBe(200);
    expect(viaExternal.json.externalId).toBe("Copy_of_dup_2");
    expect(viaExternal.json.templates).toHaveLength(2);
    // The original is untouched.
    expect((await server.call("GET", `/v1/project/${created.id}`)).json.templates).toHaveLength(2);
  });

  it("deletes a project with its contents, by id and by external id", async () => {
    const created = (await server.call("POST", "/v1/project/id/del", { body: referenceProject })).json;
    await addTemplate(created.id, "doomed");
    const merchant = await server.call("POST", `/v1/project/${created.id}/nfcMerchants`, { body: { vendor: "APPLE" } });
    expect(merchant.status).toBe(200);
    const res = await server.call("DELETE", "/v1/project/id/del");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: "deleted", projectId: created.id, externalId: "del" });
    expect((await server.call("GET", `/v1/project/${created.id}`)).status).toBe(404);
    const left = await server.database.query(
      `SELECT (SELECT count(*) FROM templates WHERE project_id = $1)::int AS t,
              (SELECT count(*) FROM nfc_merchants WHERE project_id = $1)::int AS m`,
      [created.id],
    );
    expect(left.rows[0]).toEqual({ t: 0, m: 0 });
    const second = (await server.call("POST", "/v1/project", { body: referenceProject })).json;
    expect((await server.call("DELETE", `/v1/project/${second.id}`)).json).toEqual({
      status: "deleted",
      projectId: second.id,
    });
    expect((await server.call("DELETE", `/v1/project/${second.id}`)).status).toBe(404);
  });

  it("answers 404 for ids that do not exist and 400 for ids that are not ids", async () => {
    expect((await server.call("GET", "/v1/project/99999999")).status).toBe(404);
    expect((await server.call("GET", "/v1/project/99999999999999")).status).toBe(404);
    const bad = await server.call("GET", "/v1/project/abc");
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe("VALIDATION_FAILED");
    expect((await server.call("GET", "/v1/project/id/no-such-project")).status).toBe(404);
  });
});

describe("list projects", () => {
  it("pages, orders and counts only the caller's projects", async () => {
    const account = await server.newAccount("lister");
    const names: string[] = [];
    for (let i = 0; i < 23; i++) {
      const name = `P${String(i).padStart(2, "0")}`;
      names.push(name);
      const res = await server.call("POST", "/v1/project", { body: { name, projectType: "coupon" }, as: account });
      expect(res.status).toBe(200);
    }
    const first = await server.call("GET", "/v1/project", { as: account });
    expect(first.status).toBe(200);
    expect(first.json.count).toBe(23);
    expect(first.json.pagination).toEqual({ order: "id", direction: "DESC", page: 1, start: 0, pageSize: 10 });
    expect(first.json.projects.map((p: { name: string }) => p.name)).toEqual(names.slice().reverse().slice(0, 10));

    const third = await server.call("GET", "/v1/project?page=3&pageSize=10&order=name&direction=ASC", { as: account });
    expect(third.json.pagination).toEqual({ order: "name", direction: "ASC", page: 3, start: 20, pageSize: 10 });
    expect(third.json.projects.map((p: { name: string }) => p.name)).toEqual(["P20", "P21", "P22"]);

    const zero = await server.call("GET", "/v1/project?page=0&pageSize=5", { as: account });
    expect(zero.json.pagination.page).toBe(1);
    expect(zero.json.projects).toHaveLength(5);

    const beyond = await server.call("GET", "/v1/project?page=50", { as: account });
    expect(beyond.json.projects).toEqual([]);
    expect(beyond.json.count).toBe(23);

    const lower = await server.call("GET", "/v1/project?direction=asc&order=createdAt&pageSize=1000", { as: account });
    expect(lower.json.pagination.direction).toBe("ASC");
    expect(lower.json.projects).toHaveLength(23);
  });

  it("rejects unknown order and direction values and out-of-range page sizes", async () => {
    for (const query of ["order=color", "direction=SIDEWAYS", "pageSize=1001", "pageSize=0", "page=-1", "page=x"]) {
      const res = await server.call("GET", `/v1/project?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json.error, query).toEqual(expect.any(String));
    }
    const res = await server.call("GET", "/v1/project?order=color");
    expect(res.json).toMatchObject({
      code: "INVALID_ORDER",
      error: expect.stringContaining("id, name, createdAt, updatedAt"),
    });
  });
});

describe("tenancy", () => {
  it("answers 404, never another account's data, on every project route", async () => {
    const mine = (await server.call("POST", "/v1/project/id/private", { body: referenceProject })).json;
    const routes: [string, string, unknown?][] = [
      ["GET", `/v1/project/${mine.id}`],
      ["GET", "/v1/project/id/private"],
      ["PUT", `/v1/project/${mine.id}`, { name: "stolen" }],
      ["PUT", "/v1/project/id/private", { name: "stolen" }],
      ["POST", `/v1/project/duplicate/${mine.id}`],
      ["POST", "/v1/project/duplicate/id/private"],
      ["DELETE", `/v1/project/${mine.id}`],
      ["DELETE", "/v1/project/id/private"],
      ["GET", `/v1/project/${mine.id}/nfcMerchants`],
      ["POST", `/v1/project/${mine.id}/nfcMerchants`, { vendor: "ANY" }],
      ["GET", "/v1/project/id/private/nfcMerchants"],
    ];
    for (const [method, path, body] of routes) {
      const res = await server.call(method, path, { body, as: other });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.text, `${method} ${path}`).not.toContain(mine.contextId);
    }
    const list = await server.call("GET", "/v1/project?pageSize=1000", { as: other });
    expect(list.json.projects.map((p: { id: number }) => p.id)).not.toContain(mine.id);
    const still = await server.call("GET", `/v1/project/${mine.id}`);
    expect(still.json).toMatchObject({ name: "Aztec Barcode" });
  });
});
