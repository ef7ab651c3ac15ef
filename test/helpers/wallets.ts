// What phones do to a server under test: an Apple device registering for (or dropping) a pass through the PassKit
// web service, a Google pass's save link being handed out, and Google posting a signed save or delete callback.
import { expect } from "vitest";
import { type FakeGoogle, startFakeGoogle } from "../fakes/google.js";
import { type Ecv2Signer, ecv2Signer } from "../fakes/google-callback-signer.js";
import type { TestServer } from "./app.js";

/** Hands a Google pass out (its save link, through the download route): from then on it has an object at Google. */
export async function handOutGooglePass(server: TestServer, passId: number): Promise<string> {
  const response = await fetch(`${server.baseUrl}/v1/pass/${passId}/download`, {
    redirect: "manual",
    headers: {
      authorization: `Basic ${Buffer.from(`${server.credentials.key}:${server.credentials.secret}`).toString("base64")}`,
    },
  });
  expect(response.status).toBe(302);
  return response.headers.get("location")!;
}

/** Registers (POST) or unregisters (DELETE) an Apple device for the pass; answers the pass's pass.json. */
export async function appleDevice(server: TestServer, passId: number, device: string, method: "POST" | "DELETE") {
  const json = (await server.call("GET", `/v1/pass/${passId}/viewJSONPass`)).json;
  const answer = await fetch(
    `${server.baseUrl}/apple/v1/devices/${device}/registrations/${json.passTypeIdentifier}/${json.serialNumber}`,
    {
      method,
      headers: { "content-type": "application/json", authorization: `ApplePass ${json.authenticationToken}` },
      ...(method === "POST" ? { body: JSON.stringify({ pushToken: "ab12" }) } : {}),
    },
  );
  expect(answer.status).toBeLessThan(300);
  return json as { serialNumber: string; passTypeIdentifier: string; authenticationToken: string };
}

/** Google's save or delete callback for the object, signed as Google signs them. */
export async function googleCallback(
  server: TestServer,
  signer: Ecv2Signer,
  issuerId: string,
  objectId: string,
  eventType: "save" | "del",
  nonce: string,
) {
  const signed = signer.signMessage(issuerId, {
    classId: "x",
    objectId,
    expTimeMillis: Date.now() + 60_000,
    eventType,
    nonce,
  });
  const answer = await fetch(`${server.baseUrl}/google/callback`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(signed),
  });
  expect(answer.status).toBe(200);
}

/** A fake Google Wallet API whose callback keys sign what `signer` signs, and the server options that use it. */
export async function googleWithCallbacks(): Promise<{
  google: FakeGoogle;
  signer: Ecv2Signer;
  options: {
    defaultIssuer: { issuerId: string; serviceAccount: FakeGoogle["serviceAccount"] };
    apiUrl: string;
    callbackKeysUrl: string;
  };
}> {
  const google = await startFakeGoogle();
  const signer = ecv2Signer();
  google.callbackKeys = signer.keysDocument;
  return {
    google,
    signer,
    options: {
      defaultIssuer: { issuerId: google.issuerId, serviceAccount: google.serviceAccount },
      apiUrl: google.url,
      callbackKeysUrl: `${google.url}/keys`,
    },
  };
}
