import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Credentials, startTestServer, type TestServer } from "../helpers/app.js";

// The imported key of the reference's "Add NFC merchant" example (a compressed P-256 point).
const referenceKey = "MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADIAvHog/qg3dG4d0X0knYEIdvHnTXlk9SIm39iv1PM1w=";
const referenceRequest = {
  vendor: "ANY",
  merchantName: "testMerchant5",
  merchantEmail: "test@example.com",
  terminalProvider: "Verifone",
  publicKeyPem: referenceKey,
  keyVersion: 1,
  keySource: "IMPORTED",
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: TestServer;
let other: Credentials;
let projectId: number;

beforeAll(async () => {
  server = await startTestServer();
  other = await server.newAccount("other");
  const project = await server.call("POST", "/v1/project/id/13137", { body: { name: "NFC", projectType: "loyalty" } });
  projectId = project.json.id;
});
afterAll(() => server.close());

describe("NFC merchants", () => {
  it("imports a merchant key (reference example) and never invents a private key", async () => {
    const res = await server.call("POST", `/v1/project/${projectId}/nfcMerchants`, { body: referenceRequest });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      merchantId: expect.stringMatching(UUID),
      projectId,
      vendor: "ANY",
      merchantName: "testMerchant5",
      merchantEmail: "test@example.com",
      terminalProvider: "Verifone",
      publicKeyPem: referenceKey,
      keyVersion: 1,
      keySource: "IMPORTED",
      updatedAt: expect.any(String),
    });
  });

  it("generates a P-256 pair when no key is given and returns its private key in the POST only", async () => {
    const res = await server.call("POST", "/v1/project/id/13137/nfcMerchants", {
      body: { vendor: "GOOGLE", merchantName: "ABC Merchant", smartTapCollectorId: "23405818" },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ keySource: "GENERATED", vendor: "GOOGLE", smartTapCollectorId: "23405818" });
    const publicKey = createPublicKey({
      key: Buffer.from(res.json.publicKeyPem, "base64"),
      format: "der",
      type: "spki",
    });
    const privateKey = createPrivateKey(res.json.privateKeyPem);
    expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    const signature = sign("sha256", Buffer.from("tap"), privateKey);
    expect(verify("sha256", Buffer.from("tap"), publicKey, signature)).toBe(true);

    const fetched = await server.call("GET", `/v1/project/${projectId}/nfcMerchants/${res.json.merchantId}`);
    expect(fetched.status).toBe(200);
    expect(fetched.json.privateKeyPem).toBeUndefined();
    expect(fetched.json.publicKeyPem).toBe(res.json.publicKeyPem);
    const stored = await server.database.query("SELECT * FROM nfc_merchants WHERE id = $1", [res.json.merchantId]);
    expect(JSON.stringify(stored.rows)).not.toContain("PRIVATE KEY");
  });

  it("accepts PEM keys with headers and defaults the vendor to ANY", async () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const res = await server.call("POST", `/v1/project/${projectId}/nfcMerchants`, { body: { publicKeyPem: pem } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ vendor: "ANY", keySource: "IMPORTED", publicKeyPem: pem });
  });

  it("rejects bad keys, other curves, RSA keys, bad vendors and bad key versions with 400 and writes nothing", async () => {
    const count = async () =>
      (await server.database.query<{ n: number }>("SELECT count(*)::int AS n FROM nfc_merchants")).rows[0]!.n;
    const before = await count();
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" });
    const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).publicKey.export({
      type: "spki",
      format: "pem",
    });
    for (const body of [
      { publicKeyPem: "not a key" },
      { publicKeyPem: "MDkwEwYHKoZIzj0CAQ==" },
      { publicKeyPem: rsa.toString() },
      { publicKeyPem: p384.toString() },
      { vendor: "SAMSUNG" },
      { keyVersion: 7 },
      { merchantEmail: "not-an-email" },
    ]) {
      const res = await server.call("POST", `/v1/project/${projectId}/nfcMerchants`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error).toEqual(expect.any(String));
    }
    const bad = await server.call("POST", `/v1/project/${projectId}/nfcMerchants`, { body: { publicKeyPem: "nope" } });
    expect(bad.json.error).toContain("publicKeyPem");
    expect(await count()).toBe(before);
  });

  it("lists, updates and deletes, by project id and external id", async () => {
    const created = (await server.call("POST", `/v1/project/${projectId}/nfcMerchants`, { body: referenceRequest }))
      .json;
    const list = await server.call("GET", "/v1/project/id/13137/nfcMerchants");
    expect(list.status).toBe(200);
    expect(list.json.merchants.map((m: { merchantId: string }) => m.merchantId)).toContain(created.merchantId);
    expect(list.json.merchants.every((m: { privateKeyPem?: string }) => m.privateKeyPem === undefined)).toBe(true);

    const updated = await server.call("PUT", `/v1/project/id/13137/nfcMerchants/${created.merchantId}`, {
      body: { merchantName: "Example Merchant", merchantEmail: "my_merchant@example.com" },
    });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({
      merchantId: created.merchantId,
      merchantName: "Example Merchant",
      merchantEmail: "my_merchant@example.com",
      terminalProvider: "Verifone",
      publicKeyPem: referenceKey,
    });
    const keyChange = await server.call("PUT", `/v1/project/${projectId}/nfcMerchants/${created.merchantId}`, {
      body: { publicKeyPem: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" },
    });
    expect(keyChange.status).toBe(400);

    const deleted = await server.call("DELETE", `/v1/project/${projectId}/nfcMerchants/${created.merchantId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ merchantId: created.merchantId, updatedAt: expect.any(String) });
    expect((await server.call("GET", `/v1/project/${projectId}/nfcMerchants/${created.merchantId}`)).status).toBe(404);
    expect((await server.call("DELETE", `/v1/project/id/13137/nfcMerchants/${created.merchantId}`)).status).toBe(404);
    expect((await server.call("GET", `/v1/project/${projectId}/nfcMerchants/not-a-uuid`)).status).toBe(404);
  });

  it("keeps at most 100 merchants per project, even when 20 are added at once past the limit", async () => {
    const crowded = (
      await server.call("POST", "/v1/project", { body: { name: "Many merchants", projectType: "loyalty" } })
    ).json.id;
    for (let i = 0; i < 90; i++) {
      const made = await server.call("POST", `/v1/project/${crowded}/nfcMerchants`, { body: referenceRequest });
      expect(made.status).toBe(200);
    }
    const burst = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.call("POST", `/v1/project/${crowded}/nfcMerchants`, { body: referenceRequest }),
      ),
    );
    expect(burst.filter((r) => r.status === 200)).toHaveLength(10);
    const refused = burst.filter((r) => r.status !== 200);
    expect(refused.every((r) => r.status === 400 && /at most 100 NFC merchants/.test(r.text))).toBe(true);
    const listed = await server.call("GET", `/v1/project/${crowded}/nfcMerchants`);
    expect(JSON.stringify(listed.json).match(/merchantId/g)).toHaveLength(100);
  });

  it("hides every merchant route of another account's project behind 404", async () => {
    const created = (await server.call("POST", `/v1/project/${projectId}/nfcMerchants`, { body: referenceRequest }))
      .json;
    const paths = [
      `/v1/project/${projectId}/nfcMerchants`,
      "/v1/project/id/13137/nfcMerchants",
      `/v1/project/${projectId}/nfcMerchants/${created.merchantId}`,
      `/v1/project/id/13137/nfcMerchants/${created.merchantId}`,
    ];
    for (const path of paths) {
      for (const method of path.endsWith("nfcMerchants") ? ["GET", "POST"] : ["GET", "PUT", "DELETE"]) {
        const res = await server.call(method, path, {
          body: method === "GET" || method === "DELETE" ? undefined : {},
          as: other,
        });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.text).not.toContain(created.merchantId);
      }
    }
    expect((await server.call("GET", `/v1/project/${projectId}/nfcMerchants/${created.merchantId}`)).status).toBe(200);
  });
});
