// Reading and checking an Apple pass type identity: the certificate and private key, given as a .p12 (with its
// password) or as PEM. The pass type id and team id are read from the certificate's subject (UID and OU).
import * as crypto from "node:crypto";
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import forge from "node-forge";
import { InvalidInput } from "../domain/invalid-input.js";

export interface IdentityInput {
  /** PEM text, DER, or PKCS#12 bytes. PEM may hold the private key too. */
  certificate: Buffer;
  privateKey?: Buffer;
  password?: string;
}

export interface PassIdentity {
  certificate: X509Certificate;
  privateKey: KeyObject;
  /** Certificates embedded after the pass certificate (WWDR, or the development CA). */
  chain: X509Certificate[];
  passTypeIdentifier: string;
  teamIdentifier: string;
  organizationName: string;
}

/** What an upload decodes to: PEM certificates and the private key (decrypted), or the problem. */
export type DecodedIdentity = { certificates: string[]; key?: string } | { problem: string };

/**
 * Turns uploaded bytes (PEM, DER or PKCS#12) into PEM text, decrypting with the password. Self-contained — no
 * imports, no module state — because its source also runs in a worker thread (see identity-worker.ts), where
 * a hostile file can be given a time limit. `forgeLib` and `crypto` are node-forge and node:crypto.
 */
export function decodeIdentity(
  forgeLib: typeof forge,
  crypto: typeof import("node:crypto"),
  input: { certificate: Uint8Array; privateKey?: Uint8Array; password?: string },
): DecodedIdentity {
  const password = input.password ?? "";
  const certificateBytes = Buffer.from(input.certificate);
  const blocks = (text: string, label: RegExp) =>
    [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g)]
      .filter((m) => label.test(m[1] as string))
      .map((m) => m[0]);
  const plainKey = (pem: string) => {
    try {
      const key = crypto.createPrivateKey({ key: pem, passphrase: password });
      return key.export({ type: "pkcs8", format: "pem" }).toString();
    } catch {
      return undefined;
    }
  };
  const badKey = { problem: "the private key cannot be read (wrong password, or not a PEM private key)" };
  let certificates: string[] = [];
  let key: string | undefined;
  if (certificateBytes.includes("-----BEGIN")) {
    const text = certificateBytes.toString("utf8");
    try {
      certificates = blocks(text, /CERTIFICATE$/).map((pem) => new crypto.X509Certificate(pem).toString());
    } catch {
      return { problem: "the certificate PEM cannot be read" };
    }
    const keyPem = blocks(text, /PRIVATE KEY$/)[0];
    if (keyPem) {
      key = plainKey(keyPem);
      if (key === undefined) return badKey;
    }
  } else {
    try {
      certificates = [new crypto.X509Certificate(certificateBytes).toString()];
    } catch {
      let p12: forge.pkcs12.Pkcs12Pfx;
      try {
        const asn1 = forgeLib.asn1.fromDer(certificateBytes.toString("binary"));
        p12 = forgeLib.pkcs12.pkcs12FromAsn1(asn1, false, password);
      } catch (error) {
        const message = String((error as Error)?.message ?? "");
        return {
          problem: /password|MAC/i.test(message)
            ? "the .p12 password is wrong"
            : `the certificate is neither PEM nor a readable .p12 (${message.slice(0, 200)})`,
        };
      }
      const oids = forgeLib.pki.oids as Record<string, string>;
      const bagsOf = (type: string) => p12.getBags({ bagType: type })[type] ?? [];
      for (const bag of bagsOf(oids.certBag as string)) {
        if (bag.cert) certificates.push(forgeLib.pki.certificateToPem(bag.cert));
      }
      const keyBag = [...bagsOf(oids.pkcs8ShroudedKeyBag as string), ...bagsOf(oids.keyBag as string)].find(
        (b) => b.key,
      );
      if (keyBag?.key) key = plainKey(forgeLib.pki.privateKeyToPem(keyBag.key));
    }
  }
  if (input.privateKey) {
    const keyPem = blocks(Buffer.from(input.privateKey).toString("utf8"), /PRIVATE KEY$/)[0];
    if (!keyPem) return { problem: "the private key must be PEM (-----BEGIN PRIVATE KEY-----)" };
    key = plainKey(keyPem);
    if (key === undefined) return badKey;
  }
  return key === undefined ? { certificates } : { certificates, key };
}

function subjectField(certificate: X509Certificate, name: string): string | undefined {
  for (const line of certificate.subject.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0 && line.slice(0, at) === name) return line.slice(at + 1);
  }
  return undefined;
}

/** Reads an identity from trusted files (the operator's, at start); uploads go through readUploadedIdentity. */
export function readIdentity(input: IdentityInput): PassIdentity {
  return identityFrom(decodeIdentity(forge, crypto, input));
}

/** Checks decoded PEM text as a pass identity; throws InvalidInput naming what is missing or unreadable. */
export function identityFrom(decoded: DecodedIdentity): PassIdentity {
  if ("problem" in decoded) throw new InvalidInput([decoded.problem]);
  const certificates = decoded.certificates.map((pem) => new X509Certificate(pem));
  const privateKey = decoded.key === undefined ? undefined : createPrivateKey(decoded.key);
  if (certificates.length === 0) throw new InvalidInput(["no certificate found"]);
  if (!privateKey) throw new InvalidInput(["no private key found: give the .p12 or the key PEM"]);
  // The pass certificate is the one whose key we hold; the others (if any) are its chain.
  const leaf = certificates.find((c) => c.checkPrivateKey(privateKey));
  if (!leaf) throw new InvalidInput(["the private key does not match the certificate"]);
  const passTypeIdentifier = subjectField(leaf, "UID");
  const teamIdentifier = subjectField(leaf, "OU");
  const problems: string[] = [];
  if (!passTypeIdentifier?.startsWith("pass.")) {
    problems.push("the certificate is not a Pass Type ID certificate (its subject has no UID=pass.…)");
  }
  if (!teamIdentifier) problems.push("the certificate's subject has no team identifier (OU)");
  if (problems.length) throw new InvalidInput(problems);
  return {
    certificate: leaf,
    privateKey,
    chain: certificates.filter((c) => c !== leaf && c.ca),
    passTypeIdentifier: passTypeIdentifier!,
    teamIdentifier: teamIdentifier!,
    organizationName: subjectField(leaf, "O") ?? teamIdentifier!,
  };
}

/** Problems that keep an identity from signing passes Wallet accepts: expiry, and the chain to `issuer`. */
export function identityProblems(identity: PassIdentity, issuer: X509Certificate, now: Date): string[] {
  const problems: string[] = [];
  const { certificate } = identity;
  if (new Date(certificate.validTo).getTime() <= now.getTime()) {
    problems.push(`the certificate expired on ${new Date(certificate.validTo).toISOString()}`);
  }
  if (new Date(certificate.validFrom).getTime() > now.getTime()) problems.push("the certificate is not valid yet");
  if (!certificate.checkIssued(issuer) || !certificate.verify(issuer.publicKey)) {
    problems.push(
      `the certificate is not issued by ${issuer.subject.split("\n").find((l) => l.startsWith("CN=")) ?? "the WWDR certificate"}`,
    );
  }
  return problems;
}

export const expiresAt = (certificate: X509Certificate) => new Date(certificate.validTo);
