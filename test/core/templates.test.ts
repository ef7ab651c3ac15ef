import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appleTemplate, googleTemplate, referenceLocation } from "../fixtures/reference.js";
import { type Credentials, startTestServer, type TestServer } from "../helpers/app.js";

let server: TestServer;
let other: Credentials;
let projectId: number;

beforeAll(async () => {
  server = await startTestServer({ worker: true });
  other = await server.newAccount("other");
  projectId = (
    await server.call("POST", "/v1/project/id/tpl-project", { body: { name: "Templates", projectType: "memberCard" } })
  ).json.id;
});
afterAll(() => server.close());

describe("templates", () => {
  it("creates the reference Apple template and gets it back as fieldsModel + templateHeader", async () => {
    const created = await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate });
    expect(created.status).toBe(200);
    expect(created.json).toEqual({ templateId: expect.any(Number) });
    const res = await server.call("GET", `/v1/template/${created.json.templateId}`);
    expect(res.status).toBe(200);
    expect(res.json.fieldsModel.headers).toEqual(appleTemplate.headers);
    expect(res.json.fieldsModel.fields).toEqual(appleTemplate.fields);
    expect(res.json.templateHeader).toMatchObject({
      id: created.json.templateId,
      name: "Loyalty Card",
      description: "Description",
      vendor: "Apple",
      vendorId: 1,
      type: "Store Card",
      projectId,
      projectType: "memberCard",
      deleted: "False",
      disabled: "False",
      expiryDuration: 365,
    });
  });

  it("creates the reference Google template with modules and an external id", async () => {
    const created = await server.call("POST", `/v1/template/${projectId}/id/googleTpl`, { body: googleTemplate });
    expect(created.status).toBe(200);
    const res = await server.call("GET", "/v1/template/id/googleTpl");
    expect(res.status).toBe(200);
    expect(res.json.templateHeader).toMatchObject({
      vendor: "Google",
      vendorId: 2,
      type: "Loyalty1",
      expiryDuration: 365,
    });
    for (const module of [
      "infoModuleData",
      "textModulesData",
      "linksModuleData",
      "pointsModule",
      "titleModule",
    ] as const) {
      expect(res.json.fieldsModel[module]).toEqual(googleTemplate[module]);
    }
    expect(res.json.fieldsModel.headers).toEqual(googleTemplate.headers);
    const dup = await server.call("POST", `/v1/template/${projectId}/id/googleTpl`, { body: googleTemplate });
    expect(dup.status).toBe(409);
  });

  it("creates in a project named by external id", async () => {
    const res = await server.call("POST", "/v1/template/project/id/tpl-project/id/byExternal", { body: appleTemplate });
    expect(res.status).toBe(200);
    expect((await server.call("GET", "/v1/template/id/byExternal")).json.templateHeader.projectId).toBe(projectId);
    const older = await server.call("POST", "/v1/template/id/tpl-project/id/byExternal2", { body: appleTemplate });
    expect(older.status).toBe(200);
    expect((await server.call("GET", "/v1/template/id/byExternal2")).json.templateHeader.projectId).toBe(projectId);
  });

  it("serves every template operation in its id/{externalId} form", async () => {
    const created = await server.call("POST", "/v1/template/id/no-project-template", { body: appleTemplate });
    expect(created.status).toBe(200);
    const other = await server.call("POST", `/v1/template/${projectId}/id/extForms`, { body: appleTemplate });
    const id = other.json.templateId;
    expect(
      (await server.call("PUT", "/v1/template/id/extForms", { body: { ...appleTemplate, name: "Renamed" } })).json,
    ).toEqual({
      templateId: id,
    });
    expect((await server.call("GET", `/v1/template/${id}`)).json.templateHeader.name).toBe("Renamed");
    const added = await server.call("POST", "/v1/template/id/extForms/locations", {
      body: { locations: [referenceLocation] },
    });
    expect(added.status).toBe(200);
    expect((await server.call("DELETE", `/v1/template/id/extForms/location/${added.json[0].locationId}`)).status).toBe(
      200,
    );
    await server.call("POST", `/v1/pass/${id}`, { body: {} });
    expect((await server.call("GET", "/v1/template/id/extForms/passes")).json.count).toBe(1);
    const bulk = await server.call("PUT", "/v1/template/id/extForms/passes", {
      body: { fields: { Coupon: { value: "9%" } } },
    });
    expect(bulk.json).toEqual({ ticketId: expect.any(Number) });
    const personalization = { requiredPersonalizationFields: ["name"], description: "Sign up" };
    expect(
      (await server.call("POST", "/v1/template/id/extForms/personalization", { body: personalization })).json,
    ).toEqual(personalization);
    const dup = await server.call("POST", "/v1/template/duplicate/id/extForms");
    expect(dup.json.templateId).not.toBe(id);
    expect((await server.call("GET", `/v1/template/${dup.json.templateId}`)).json.fieldsModel.personalization).toEqual(
      personalization,
    );
    expect((await server.call("DELETE", "/v1/template/id/extForms")).json).toEqual({
      status: "Deleted",
      TemplateID: id,
    });
    expect((await server.call("GET", "/v1/template/id/extForms")).status).toBe(404);
  });

  it("replaces the whole template on update: omitted fields are removed", async () => {
    const { templateId } = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json;
    const { InStore: _removed, ...fields } = appleTemplate.fields;
    const res = await server.call("PUT", `/v1/template/${templateId}`, {
      body: { ...appleTemplate, name: "Loyalty Card (Edited)", fields },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ templateId });
    const got = (await server.call("GET", `/v1/template/${templateId}`)).json;
    expect(got.templateHeader.name).toBe("Loyalty Card (Edited)");
    expect(Object.keys(got.fieldsModel.fields).sort()).toEqual(["Coupon", "SiteAddress"]);
  });

  it("lists headers with pagination, duplicates and deletes", async () => {
    const list = await server.call("GET", "/v1/template/headers?pageSize=2&order=name&direction=ASC");
    expect(list.status).toBe(200);
    expect(list.json.count).toBeGreaterThanOrEqual(3);
    expect(list.json.templateHeaders).toHaveLength(2);
    expect(list.json.pagination).toEqual({ order: "name", direction: "ASC", page: 1, start: 0, pageSize: 2 });

    const { templateId } = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json;
    const dup = await server.call("POST", `/v1/template/duplicate/${templateId}`);
    expect(dup.status).toBe(200);
    expect(dup.json.templateId).not.toBe(templateId);
    // A template's copy keeps its name, description and type (only project copies are "Copy of …").
    expect((await server.call("GET", `/v1/template/${dup.json.templateId}`)).json.templateHeader).toMatchObject({
      name: "Loyalty Card",
      description: "Description",
      type: "Store Card",
    });

    const del = await server.call("DELETE", `/v1/template/${dup.json.templateId}`);
    expect(del.json).toEqual({ status: "Deleted", TemplateID: dup.json.templateId });
    expect((await server.call("GET", `/v1/template/${dup.json.templateId}`)).status).toBe(404);
  });

  it("adds and deletes template locations", async () => {
    const { templateId } = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json;
    const res = await server.call("POST", `/v1/template/${templateId}/locations`, {
      body: { locations: [referenceLocation] },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      {
        locationId: expect.any(Number),
        fieldId: expect.any(Number),
        value: {
          region: "CA",
          regionCode: "94404",
          relevantText: "Hello loc0",
          streetAddress1: "address line #1",
          streetAddress2: "address line #2",
          longitude: -122.374,
          latitude: 37.618,
          city: "San Francisco",
          country: "US",
        },
      },
    ]);
    const bad = await server.call("POST", `/v1/template/${templateId}/locations`, {
      body: { locations: [{ latitude: 91, longitude: 0 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain("latitude");
    const del = await server.call("DELETE", `/v1/template/${templateId}/location/${res.json[0].locationId}`);
    expect(del.status).toBe(200);
    expect((await server.call("DELETE", `/v1/template/${templateId}/location/${res.json[0].locationId}`)).status).toBe(
      404,
    );
  });

  it("rejects malformed templates with 400 naming the problem", async () => {
    const cases: [unknown, string][] = [
      [{ ...appleTemplate, name: undefined }, "name"],
      [{ ...appleTemplate, vendor: "Samsung", vendorId: undefined }, "vendor"],
      [{ ...appleTemplate, headers: { background_color: { value: "rgb(300,0,0)" } } }, "background_color"],
      [{ ...appleTemplate, headers: { foreground_color: { value: "blue" } } }, "foreground_color"],
      [{ ...appleTemplate, fields: { X: { fieldType: "sideways", value: "1" } } }, "fieldType"],
      [{ ...appleTemplate, headers: { expirationDate: { value: "tomorrow" } } }, "expirationDate"],
      [{ ...googleTemplate, beacons: [{ uuid: "55502220-A123-A88A-F321-555A444B333C" }] }, "beacons"],
    ];
    const before = (await server.database.query<{ n: number }>("SELECT count(*)::int AS n FROM templates")).rows[0]!.n;
    for (const [body, word] of cases) {
      const res = await server.call("POST", `/v1/template/${projectId}`, { body });
      expect(res.status, word).toBe(400);
      expect(res.json.error, word).toContain(word);
    }
    expect((await server.database.query<{ n: number }>("SELECT count(*)::int AS n FROM templates")).rows[0]!.n).toBe(
      before,
    );
  });

  it("manages personalization on Apple loyalty templates only", async () => {
    const { templateId } = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json;
    const body = {
      requiredPersonalizationFields: ["name", "postalCode", "emailAddress", "phoneNumber"],
      description: "Enter your information to sign up and earn points.",
      termsAndConditions: "Terms and conditions go here",
    };
    expect((await server.call("GET", `/v1/template/${templateId}/personalization`)).status).toBe(404);
    const added = await server.call("POST", `/v1/template/${templateId}/personalization`, { body });
    expect(added.status).toBe(200);
    expect(added.json).toEqual(body);
    expect((await server.call("GET", `/v1/template/${templateId}/personalization`)).json).toEqual(body);
    const replaced = await server.call("PUT", `/v1/template/${templateId}/personalization`, {
      body: { requiredPersonalizationFields: ["name"], description: "Just your name" },
    });
    expect(replaced.json).toEqual({ requiredPersonalizationFields: ["name"], description: "Just your name" });
    const bad = await server.call("PUT", `/v1/template/${templateId}/personalization`, {
      body: { requiredPersonalizationFields: ["shoeSize"], description: "x" },
    });
    expect(bad.status).toBe(400);
    const deleted = await server.call("DELETE", `/v1/template/${templateId}/personalization`);
    expect(deleted.json).toEqual({ requiredPersonalizationFields: ["name"], description: "Just your name" });
    expect((await server.call("GET", `/v1/template/${templateId}/personalization`)).status).toBe(404);

    const google = (await server.call("POST", `/v1/template/${projectId}`, { body: googleTemplate })).json.templateId;
    const refused = await server.call("POST", `/v1/template/${google}/personalization`, { body });
    expect(refused.status).toBe(400);
  });

  it("hides another account's templates behind 404", async () => {
    const { templateId } = (
      await server.call("POST", `/v1/template/${projectId}/id/secretTpl`, { body: appleTemplate })
    ).json;
    for (const [method, path, body] of [
      ["GET", `/v1/template/${templateId}`],
      ["GET", "/v1/template/id/secretTpl"],
      ["PUT", `/v1/template/${templateId}`, appleTemplate],
      ["DELETE", `/v1/template/${templateId}`],
      ["POST", `/v1/template/duplicate/${templateId}`],
      ["POST", `/v1/template/${templateId}/locations`, { locations: [referenceLocation] }],
      ["GET", `/v1/template/${templateId}/passes`],
      ["PUT", `/v1/template/${templateId}/passes`, { fields: { Coupon: { value: "1" } } }],
      ["GET", `/v1/template/${templateId}/personalization`],
      ["POST", `/v1/template/${projectId}`, appleTemplate],
      ["POST", `/v1/pass/${templateId}`, {}],
    ] as [string, string, unknown?][]) {
      const res = await server.call(method, path, { body, as: other });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const list = await server.call("GET", "/v1/template/headers?pageSize=1000", { as: other });
    expect(list.json.count).toBe(0);
  });
});
