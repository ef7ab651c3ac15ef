// Signed .pkpass bundles over real HTTP: every bundle verifies with openssl cms against the test CA, has a
// correct manifest and a signingTime; pass.json maps the Airship model for all five styles and barcode formats;
// images are fetched once at save time (PNG only); passkit-generator builds the same pass.json.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PKPass } from "passkit-generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appleTemplate, passCreate } from "../fixtures/reference.js";
import { isJsonError, startTestServer, type TestServer } from "../helpers/app.js";
import { pngFixture, type TestPki, testPki, unpack, verifyBundle } from "../helpers/apple.js";

let server: TestServer;
let pki: TestPki;
let images: Server;
let imageBase: string;
const imageHits: string[] = [];
let projectId: number;

const red = pngFixture(60, 20, [220, 20, 20]);
const blue = pngFixture(90, 30, [20, 20, 220]);

beforeAll(async () => {
  pki = testPki();
  server = await startTestServer({ apple: pki.setup });
  images = createServer((req, res) => {
    imageHits.push(req.url ?? "");
    if (req.url === "/red.png") res.writeHead(200, { "content-type": "image/png" }).end(red);
    else if (req.url === "/blue.png") res.writeHead(200, { "content-type": "image/png" }).end(blue);
    else if (req.url === "/not-png.png") res.writeHead(200, { "content-type": "image/png" }).end("<html>nope</html>");
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => images.listen(0, "127.0.0.1", r));
  imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Acme Coffee", projectType: "memberCard" } }))
    .json.id;
});
afterAll(async () => {
  await server.close();
  await new Promise((r) => images.close(r));
});

/**
 * passkit-generator writes empty arrays for the field groups a pass leaves out and dates with milliseconds:
 * the same content, compared after those two normalisations.
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (Array.isArray(v) && v.length === 0) continue;
      out[k] = canonical(v);
    }
    return out;
  }
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value)) {
    return new Date(value).toISOString();
  }
  return value;
}

async function download(passId: number): Promise<Buffer> {
  const response = await fetch(`${server.baseUrl}/v1/pass/${passId}/download`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${server.credentials.key}:${server.credentials.secret}`).toString("base64")}`,
    },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/vnd.apple.pkpass");
  return Buffer.from(await response.arrayBuffer());
}

async function template(body: Record<string, unknown>): Promise<number> {
  const response = await server.call("POST", `/v1/template/${projectId}`, { body });
  expect(response.status, response.text).toBeLessThan(300);
  return response.json.templateId;
}

async function pass(templateId: number, body: Record<string, unknown> = {}): Promise<number> {
  const response = await server.call("POST", `/v1/pass/${templateId}`, { body });
  expect(response.status, response.text).toBeLessThan(300);
  return response.json.id;
}

describe("the reference pass", () => {
  let templateId: number;
  let passId: number;
  beforeAll(async () => {
    templateId = await template(appleTemplate);
    passId = await pass(templateId, passCreate);
  });

  it("downloads as a bundle that openssl verifies, with a correct manifest and a signing time", async () => {
    const bundle = verifyBundle(await download(passId), pki.files.root);
    expect(bundle.cms).toMatch(/signingTime/);
    expect(bundle.cms).toMatch(/messageDigest/);
    expect(bundle.cms).toMatch(/contentType/);
    // Both the pass certificate and the WWDR intermediate are embedded.
    expect(bundle.cms).toContain("Test Worldwide Developer Relations");
    expect(bundle.cms).toContain(`Pass Type ID: ${pki.passTypeIdentifier}`);
    expect(Object.keys(bundle.files)).toEqual(
      expect.arrayContaining([
        "pass.json",
        "icon.png",
        "icon@2x.png",
        "logo.png",
        "thumbnail.png",
        "manifest.json",
        "signature",
      ]),
    );
  });

  it("serves the stored signed bundle while nothing in it changed, and signs afresh after a change", async () => {
    const own = await pass(templateId, passCreate);
    const first = await download(own);
    const { rows } = await server.database.query<{ bytes: Buffer; version: number }>(
      "SELECT bytes, version FROM signed_bundles WHERE pass_id = $1",
      [own],
    );
    expect(rows[0]!.bytes.equals(first)).toBe(true);
    // Served from the store: a marker put there comes back (no signing happened).
    await server.database.query("UPDATE signed_bundles SET bytes = 'stored-marker' WHERE pass_id = $1", [own]);
    expect((await download(own)).toString()).toBe("stored-marker");
    // A change (new version and pass.json) is signed again, and stored in place of the old bundle.
    const update = await server.call("PUT", `/v1/pass/${own}`, { body: { fields: { Coupon: { value: "5%" } } } });
    expect(update.status).toBe(200);
    const fresh = await download(own);
    expect(fresh.toString()).not.toBe("stored-marker");
    const bundle = verifyBundle(fresh, pki.files.root);
    expect(JSON.stringify(bundle.passJson)).toContain("5%");
    const after = await server.database.query<{ version: number }>(
      "SELECT version FROM signed_bundles WHERE pass_id = $1",
      [own],
    );
    expect(after.rows[0]!.version).toBeGreaterThan(rows[0]!.version);
  });

  it("maps the Airship model to pass.json", async () => {
    const { passJson } = unpack(await download(passId));
    const serialNumber = (await server.call("GET", `/v1/pass/${passId}`)).json.serialNumber;
    expect(passJson).toMatchObject({
      formatVersion: 1,
      passTypeIdentifier: pki.passTypeIdentifier,
      teamIdentifier: pki.teamIdentifier,
      serialNumber,
      organizationName: "Acme Coffee",
      description: "Description",
      webServiceURL: `${server.baseUrl}/apple`,
      logoText: "Logo Text",
      foregroundColor: "rgb(255, 255, 255)",
      backgroundColor: "rgb(49, 159, 196)",
      suppressStripShine: true,
      expirationDate: "2014-08-20T17:41:00Z",
      barcodes: [
        {
          format: "PKBarcodeFormatQR",
          message: "abc1234567890",
          messageEncoding: "iso-8859-1",
          altText: "abc1234567890",
        },
      ],
      beacons: [
        {
          proximityUUID: "55502220-A123-A88A-F321-555A444B333C",
          major: 2,
          minor: 346,
          relevantText: "You are near the Ship",
        },
      ],
      locations: [{ latitude: 37.618, longitude: -122.374, relevantText: "Hello loc0" }],
    });
    expect(String(passJson.authenticationToken).length).toBeGreaterThanOrEqual(16);
    const storeCard = passJson.storeCard as Record<string, Array<Record<string, unknown>>>;
    expect(storeCard.primaryFields).toEqual([
      {
        key: "Coupon",
        label: "Coupon",
        value: "20%",
        changeMessage: "Enjoy %@ off your next order!",
        textAlignment: "PKTextAlignmentRight",
      },
    ]);
    // Secondary fields in `order`, then name.
    expect(storeCard.secondaryFields!.map((f) => f.key)).toEqual(["InStore", "SiteAddress"]);
    const keys = Object.values(storeCard).flatMap((group) => group.map((f) => f.key));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("keeps the authentication token for the pass's whole life", async () => {
    const before = unpack(await download(passId)).passJson.authenticationToken;
    await server.call("PUT", `/v1/pass/${passId}`, { body: { fields: { Coupon: { value: "30%" } } } });
    const after = unpack(await download(passId)).passJson;
    expect(after.authenticationToken).toBe(before);
    expect((after.storeCard as { primaryFields: Array<{ value: unknown }> }).primaryFields[0]!.value).toBe("30%");
  });

  it("answers viewJSONPass with the pass.json the bundle holds", async () => {
    const view = await server.call("GET", `/v1/pass/${passId}/viewJSONPass`);
    expect(view.status).toBe(200);
    expect(view.json).toEqual(unpack(await download(passId)).passJson);
  });

  it("builds the same pass.json as passkit-generator from the same content", async () => {
    const ours = unpack(await download(passId));
    const files: Record<string, Buffer> = {};
    for (const [name, data] of Object.entries(ours.files)) {
      if (name !== "manifest.json" && name !== "signature") files[name] = data;
    }
    const theirs = new PKPass(files, { wwdr: pki.wwdrPem, signerCert: pki.passCertPem, signerKey: pki.passKeyPem });
    const raw = unpack(theirs.getAsBuffer());
    expect(canonical(raw.passJson)).toEqual(canonical(ours.passJson));
  });

  it("serves the single-use public link until a device installs the pass", async () => {
    const path = (await server.call("GET", `/v1/pass/${passId}`)).json.publicUrl.path as string;
    expect(path.startsWith(`${server.baseUrl}/v1/download/pass/`)).toBe(true);
    const first = await fetch(path);
    expect(first.status).toBe(200);
    verifyBundle(Buffer.from(await first.arrayBuffer()), pki.files.root);
    await server.database.query("UPDATE passes SET public_url_used = true WHERE id = $1", [passId]);
    const used = await fetch(path);
    expect(used.status).toBe(410);
    expect(((await used.json()) as { code: string }).code).toBe("LINK_USED");
    const unknown = await fetch(`${server.baseUrl}/v1/download/pass/unknownToken123`);
    expect(unknown.status).toBe(404);
  });

  it("needs an API key for /v1/pass/{id}/download and hides other accounts' passes", async () => {
    expect((await fetch(`${server.baseUrl}/v1/pass/${passId}/download`)).status).toBe(401);
    const other = await server.newAccount("other");
    const response = await server.call("GET", `/v1/pass/${passId}/download`, { as: other });
    expect(response.status).toBe(404);
    expect(isJsonError(response)).toBe(true);
  });
});

describe("styles, barcodes and values", () => {
  const styles: Array<[string, string, string]> = [
    ["Store Card", "memberCard", "storeCard"],
    ["Coupon", "coupon", "coupon"],
    ["Event Ticket", "eventTicket", "eventTicket"],
    ["Boarding Pass", "boardingPass", "boardingPass"],
    ["Generic", "generic", "generic"],
  ];
  for (const [type, projectType, style] of styles) {
    it(`builds a ${style} from a "${type}" template`, async () => {
      const templateId = await template({
        name: type,
        vendor: "Apple",
        type,
        projectType,
        headers: { transitType: { value: "PKTransitTypeTrain" } },
        fields: {
          Header: { fieldType: "header", value: "H", label: "h", order: 1 },
          Main: { fieldType: "primary", value: "M", label: "m", order: 1 },
          Aux: { fieldType: "auxiliary", value: 12.5, label: "a", formatType: "Number", order: 1 },
          Back: { fieldType: "back", value: "Terms", label: "b", order: 1 },
        },
      });
      const bundle = verifyBundle(await download(await pass(templateId)), pki.files.root);
      const dict = bundle.passJson[style] as Record<string, Array<Record<string, unknown>>>;
      expect(dict).toBeDefined();
      for (const other of styles.map((s) => s[2]).filter((s) => s !== style))
        expect(bundle.passJson[other]).toBeUndefined();
      expect(dict.headerFields![0]).toMatchObject({ key: "Header", value: "H" });
      expect(dict.primaryFields![0]).toMatchObject({ key: "Main", value: "M" });
      expect(dict.auxiliaryFields![0]).toMatchObject({ key: "Aux", value: 12.5, numberStyle: "PKNumberStyleDecimal" });
      expect(dict.backFields![0]).toMatchObject({ key: "Back", value: "Terms" });
      if (style === "boardingPass") expect(dict.transitType).toBe("PKTransitTypeTrain");
      else expect(dict.transitType).toBeUndefined();
      // passkit-generator accepts the same pass.json unchanged.
      const files = { ...bundle.files };
      delete files["manifest.json"];
      delete files.signature;
      const theirs = new PKPass(files, { wwdr: pki.wwdrPem, signerCert: pki.passCertPem, signerKey: pki.passKeyPem });
      expect(canonical(unpack(theirs.getAsBuffer()).passJson)).toEqual(canonical(bundle.passJson));
    });
  }

  const barcodes: Array<[string, string]> = [
    ["qr", "PKBarcodeFormatQR"],
    ["PDF417", "PKBarcodeFormatPDF417"],
    ["aztec", "PKBarcodeFormatAztec"],
    ["PKBarcodeFormatCode128", "PKBarcodeFormatCode128"],
  ];
  for (const [given, format] of barcodes) {
    it(`maps barcode_type "${given}" to ${format}`, async () => {
      const templateId = await template({
        name: `barcode ${given}`,
        vendor: "Apple",
        type: "Generic",
        headers: {
          barcode_type: { value: given },
          barcode_value: { value: "123456" },
          barcode_encoding: { value: "utf-8" },
          barcode_label: { value: "Member 123456" },
        },
      });
      const { passJson } = verifyBundle(await download(await pass(templateId)), pki.files.root);
      expect(passJson.barcodes).toEqual([
        { format, message: "123456", messageEncoding: "utf-8", altText: "Member 123456" },
      ]);
    });
  }

  it("marks voided passes, maps dates, currencies and hides empty fields that ask to be hidden", async () => {
    const templateId = await template({
      name: "values",
      vendor: "Apple",
      type: "Event Ticket",
      headers: { relevantDate: { value: "2030-05-01T19:30:00+02:00" } },
      fields: {
        Starts: { fieldType: "primary", value: "2030-05-01T19:30:00+02:00", formatType: "Date", label: "Starts" },
        Price: { fieldType: "secondary", value: "42.5", formatType: "Currency", currencyCode: "eur", label: "Price" },
        Empty: { fieldType: "secondary", value: "", hideEmpty: true, label: "Hidden" },
        Note: { fieldType: "back", value: "x", changeMessage: "no placeholder", label: "Note" },
      },
    });
    const passId = await pass(templateId, { headers: { expirationDate: { value: "2030-06-01T00:00:00Z" } } });
    await server.call("PUT", `/v1/pass/${passId}`, { body: { headers: { expirationDate: { label: "voided" } } } });
    const { passJson } = verifyBundle(await download(passId), pki.files.root);
    expect(passJson.voided).toBe(true);
    expect(passJson.expirationDate).toBe("2030-06-01T00:00:00Z");
    expect(passJson.relevantDate).toBe("2030-05-01T17:30:00Z");
    const ticket = passJson.eventTicket as Record<string, Array<Record<string, unknown>>>;
    expect(ticket.primaryFields![0]).toMatchObject({
      value: "2030-05-01T17:30:00Z",
      dateStyle: "PKDateStyleMedium",
      timeStyle: "PKDateStyleShort",
    });
    expect(ticket.secondaryFields).toEqual([{ key: "Price", label: "Price", value: 42.5, currencyCode: "EUR" }]);
    expect(ticket.backFields![0]!.changeMessage).toBeUndefined();
  });
});

describe("NFC", () => {
  it("adds the project's NFC merchant key and the nfc_message header (64 bytes at most)", async () => {
    const merchant = await server.call("POST", `/v1/project/${projectId}/nfcMerchants`, {
      body: { vendor: "APPLE", merchantName: "Acme" },
    });
    expect(merchant.status, merchant.text).toBeLessThan(300);
    const templateId = await template({ name: "nfc", vendor: "Apple", type: "Store Card" });
    const passId = await pass(templateId, { headers: { nfc_message: { value: "member-42" } } });
    const { passJson } = verifyBundle(await download(passId), pki.files.root);
    const spki = String(merchant.json.publicKeyPem ?? merchant.json.publicKey).replace(/-----[A-Z ]+-----|\s/g, "");
    expect(passJson.nfc).toEqual({ message: "member-42", encryptionPublicKey: spki, requiresAuthentication: false });
    const tooLong = await server.call("POST", `/v1/pass/${templateId}`, {
      body: { headers: { nfc_message: { value: "x".repeat(65) } } },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain("nfc_message");
    await server.call("DELETE", `/v1/project/${projectId}/nfcMerchants/${merchant.json.id}`);
  });
});

describe("images", () => {
  it("fetches template and pass images once, at save time, and stores them", async () => {
    imageHits.length = 0;
    const templateId = await template({
      name: "images",
      vendor: "Apple",
      type: "Store Card",
      headers: { logo_image: { value: `${imageBase}/red.png` }, strip_image: { value: `${imageBase}/red.png` } },
    });
    const passId = await pass(templateId, { headers: { thumbnail_image: { value: `${imageBase}/blue.png` } } });
    const hitsAfterSave = imageHits.length;
    expect(hitsAfterSave).toBeGreaterThan(0);
    const bundle = verifyBundle(await download(passId), pki.files.root);
    await download(passId);
    expect(imageHits.length).toBe(hitsAfterSave); // building a pass never touches the network
    expect(bundle.files["logo.png"]!.equals(red)).toBe(true);
    expect(bundle.files["logo@2x.png"]!.equals(red)).toBe(true);
    expect(bundle.files["strip.png"]!.equals(red)).toBe(true);
    expect(bundle.files["thumbnail.png"]!.equals(blue)).toBe(true);
    expect(bundle.files["icon.png"]).toBeDefined(); // built-in default
    const stored = await server.database.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM images WHERE sha256 = $1",
      [(await import("node:crypto")).createHash("sha256").update(red).digest("hex")],
    );
    expect(stored.rows[0]!.n).toBe(1);
  });

  it("accepts data: URIs", async () => {
    const templateId = await template({
      name: "data uri",
      vendor: "Apple",
      type: "Generic",
      headers: { icon_image: { value: `data:image/png;base64,${blue.toString("base64")}` } },
    });
    const bundle = verifyBundle(await download(await pass(templateId)), pki.files.root);
    expect(bundle.files["icon.png"]!.equals(blue)).toBe(true);
  });

  it("rejects unreachable and non-PNG images with a 400 naming the header, writing nothing", async () => {
    const before = await server.database.query<{ n: number }>("SELECT count(*)::int AS n FROM templates");
    for (const [header, url] of [
      ["logo_image", `${imageBase}/missing.png`],
      ["strip_image", `${imageBase}/not-png.png`],
      ["icon_image", "http://127.0.0.1:1/unreachable.png"],
    ] as const) {
      const response = await server.call("POST", `/v1/template/${projectId}`, {
        body: { name: "bad image", vendor: "Apple", type: "Generic", headers: { [header]: { value: url } } },
      });
      expect(response.status).toBe(400);
      expect(isJsonError(response)).toBe(true);
      expect(response.text).toContain(header);
    }
    const after = await server.database.query<{ n: number }>("SELECT count(*)::int AS n FROM templates");
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    const templateId = await template({ name: "ok", vendor: "Apple", type: "Generic" });
    const response = await server.call("POST", `/v1/pass/${templateId}`, {
      body: { headers: { thumbnail_image: { value: `${imageBase}/not-png.png` } } },
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain("thumbnail_image");
  });
});

describe("personalization", () => {
  it("adds personalization.json and its logo until the holder has signed up", async () => {
    const templateId = await template({ ...appleTemplate, name: "Rewards" });
    const set = await server.call("POST", `/v1/template/${templateId}/personalization`, {
      body: { requiredPersonalizationFields: ["name", "emailAddress"], description: "Join", termsAndConditions: "T&C" },
    });
    expect(set.status).toBe(200);
    const bundle = verifyBundle(await download(await pass(templateId)), pki.files.root);
    expect(JSON.parse(bundle.files["personalization.json"]!.toString())).toEqual({
      requiredPersonalizationFields: ["PKPassPersonalizationFieldName", "PKPassPersonalizationFieldEmailAddress"],
      description: "Join",
      termsAndConditions: "T&C",
    });
    expect(bundle.files["personalizationLogo.png"]).toBeDefined();
  });
});
