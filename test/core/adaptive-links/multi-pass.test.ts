// Multi-pass adaptive links (GET /v1/pass/adaptive?ids=a,b,…) over real HTTP: an iPhone gets one .pkpasses whose
// every .pkpass openssl verifies, an Android phone one save link carrying every object (made at the fake Google
// first), a browser the landing page; each link spends its own availablePasses; expired, unknown and too many ids
// are refused by name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeGoogle, startFakeGoogle } from "../../fakes/google.js";
import { appleTemplate, googleTemplate } from "../../fixtures/reference.js";
import { startTestServer, type TestServer } from "../../helpers/app.js";
import { extractZip, type TestPki, testPki, verifyBundle } from "../../helpers/apple.js";
import { discoveryProblems, schemaOfResource } from "../../helpers/discovery.js";

let server: TestServer;
let pki: TestPki;
let google: FakeGoogle;
const links: Record<string, string> = {};

const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
const ANDROID =
  "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
const DESKTOP =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

beforeAll(async () => {
  pki = testPki();
  google = await startFakeGoogle();
  server = await startTestServer({
    apple: pki.setup,
    google: { defaultIssuer: { issuerId: google.issuerId, serviceAccount: google.serviceAccount }, apiUrl: google.url },
  });
  // Links of two projects and two kinds of pass: a multi-pass link may mix them.
  for (const [project, type] of [
    ["Concert", "eventTicket"],
    ["Parking", "generic"],
  ] as const) {
    const projectId = (await server.call("POST", "/v1/project", { body: { name: project, projectType: type } })).json
      .id;
    const ios = (await server.call("POST", `/v1/template/${projectId}`, { body: { ...appleTemplate, name: project } }))
      .json.templateId;
    const android = (
      await server.call("POST", `/v1/template/${projectId}`, { body: { ...googleTemplate, name: `${project} G` } })
    ).json.templateId;
    for (const [name, extra] of [
      [`${project}-shared`, {}],
      [`${project}-one-left`, { isPersonalized: true, availablePasses: 1 }],
    ] as const) {
      const created = await server.call("POST", "/v1/links/adaptive", {
        body: { iosTemplateId: ios, androidTemplateId: android, ...extra },
      });
      expect(created.status, created.text).toBe(200);
      links[name] = created.json.adaptiveLinkId;
    }
  }
});
afterAll(async () => {
  await server.close();
  await google.close();
});

const open = (query: string, userAgent: string) =>
  fetch(`${server.baseUrl}/v1/pass/adaptive?${query}`, { redirect: "manual", headers: { "user-agent": userAgent } });

/** The .pkpass files of a .pkpasses bundle. */
const pkpassesOf = (bundle: Buffer) => extractZip(bundle).files;

describe("multi-pass links", () => {
  it("gives an iPhone one .pkpasses of signed passes, from links of different projects", async () => {
    const ids = [links["Concert-shared"]!, links["Parking-shared"]!];
    const response = await open(`ids=${ids.join(",")}`, IPHONE);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.apple.pkpasses");
    const files = pkpassesOf(Buffer.from(await response.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual([`1-${ids[0]}.pkpass`, `2-${ids[1]}.pkpass`]);
    const serials = Object.values(files).map((pkpass) => verifyBundle(pkpass, pki.files.root).passJson.serialNumber);
    expect(new Set(serials).size).toBe(2);
    // A non-personalized link hands out the same pass again.
    const again = pkpassesOf(Buffer.from(await (await open(`ids=${ids.join(",")}`, IPHONE)).arrayBuffer()));
    expect(Object.values(again).map((p) => verifyBundle(p, pki.files.root).passJson.serialNumber)).toEqual(serials);
  });

  it("gives an Android phone one save link carrying every object, each made at Google first", async () => {
    const ids = [links["Concert-shared"]!, links["Parking-shared"]!];
    const response = await open(`ids=${ids.join(",")}`, ANDROID);
    expect(response.status).toBe(302);
    const location = response.headers.get("location")!;
    expect(location.startsWith("https://pay.google.com/gp/v/save/")).toBe(true);
    const jwt = location.slice("https://pay.google.com/gp/v/save/".length);
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString());
    const objects = Object.entries(claims.payload).flatMap(([, list]) => list as Array<{ id: string }>);
    expect(objects).toHaveLength(2);
    for (const object of objects) {
      expect(google.calls.some((c) => c.action === "insert" && (c.body as { id?: string })?.id === object.id)).toBe(
        true,
      );
    }
    // Google Wallet shows them together, in the link's order: one grouping id, sort indexes 1 and 2.
    const groupings = objects.map((object) => {
      const patch = google.calls.filter((c) => c.action === "patch" && c.id === object.id).at(-1)!;
      expect(discoveryProblems(schemaOfResource(patch.resource!), patch.body, { requireRequired: false })).toEqual([]);
      return (patch.body as { groupingInfo: { groupingId: string; sortIndex: number } }).groupingInfo;
    });
    expect(groupings.map((g) => g.sortIndex)).toEqual([1, 2]);
    expect(new Set(groupings.map((g) => g.groupingId)).size).toBe(1);

    // The same link again: the objects are current and grouped already, so Google is not called at all.
    const before = google.walletCalls().length;
    const again = await open(`ids=${ids.join(",")}`, ANDROID);
    expect(again.status).toBe(302);
    expect(google.walletCalls().slice(before)).toEqual([]);
  });

  it("shows a browser the landing page, whose buttons open the same set", async () => {
    const ids = [links["Concert-shared"]!, links["Parking-shared"]!].join(",");
    const response = await open(`ids=${ids}`, DESKTOP);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`/v1/pass/adaptive?ids=${ids}&amp;device=ios`);
    expect(html).toContain(`/v1/pass/adaptive?ids=${ids}&amp;device=android`);
    expect((await open(`ids=${ids}&device=ios`, DESKTOP)).headers.get("content-type")).toBe(
      "application/vnd.apple.pkpasses",
    );
  });

  it("spends each link's own availablePasses, and refuses expired, unknown and too many ids by name", async () => {
    const one = links["Concert-one-left"]!;
    const other = links["Parking-one-left"]!;
    expect((await open(`ids=${one},${other}`, IPHONE)).status).toBe(200);
    const exhausted = await open(`ids=${one}`, IPHONE);
    expect(exhausted.status).toBe(410);
    const body = (await exhausted.json()) as { code: string; error: string };
    expect(body.code).toBe("LINK_EXHAUSTED");
    expect(body.error).toContain(one);

    await server.database.query("UPDATE adaptive_links SET expiration_date = now() - interval '1 day' WHERE id = $1", [
      links["Parking-shared"],
    ]);
    const expired = await open(`ids=${links["Concert-shared"]},${links["Parking-shared"]}`, IPHONE);
    expect(expired.status).toBe(410);
    const why = (await expired.json()) as { code: string; details: unknown };
    expect(why.code).toBe("LINK_EXPIRED");
    expect(why.details).toEqual({ expired: [links["Parking-shared"]] });
    const unknown = await open(`ids=${links["Concert-shared"]},nosuchlink`, IPHONE);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain("nosuchlink");
    const many = Array.from({ length: 11 }, (_, i) => `link${i}`).join(",");
    expect((await open(`ids=${many}`, IPHONE)).status).toBe(400);
    expect((await open("ids=bad%20id", IPHONE)).status).toBe(400);
  });
});
