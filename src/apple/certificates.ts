// Reading and checking an Apple pass type identity: the certificate and private key, given as a .p12 (with its
// password) or as PEM. The pass type id and team id are read from the certificate's subject (UID and OU).
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

const isPem = (bytes: Buffer) => bytes.includes("-----BEGIN");

function pemBlocks(text: string, label: RegExp): string[] {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;
  return [...text.matchAll(re)].filter((m) => label.test(m[1]!)).map((m) => m[0]);
}

/** The certificates and key inside a PKCS#12 file. */
function readP12(bytes: Buffer, password: string): { certificates: X509Certificate[]; key?: KeyObject } {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(bytes.toString("binary")), false, password);
  } catch (error) {
    const message = (error as Error).message ?? "";
    throw new InvalidInput([
      /password|MAC/i.test(message)
        ? "the .p12 password is wrong"
        : `the certificate is neither PEM nor a readable .p12 (${message})`,
    ]);
  }
  const { certBag, pkcs8ShroudedKeyBag, keyBag: plainKeyBag } = forge.pki.oids as Record<string, string>;
  const bagsOf = (type: string) => p12.getBags({ bagType: type })[type] ?? [];
  const certificates: X509Certificate[] = [];
  for (const bag of bagsOf(certBag!)) {
    if (bag.cert) certificates.push(new X509Certificate(forge.pki.certificateToPem(bag.cert)));
  }
  const keyBag = [...bagsOf(pkcs8ShroudedKeyBag!), ...bagsOf(plainKeyBag!)].find((b) => b.key);
  const key = keyBag?.key ? createPrivateKey(forge.pki.privateKeyToPem(keyBag.key)) : undefined;
  return { certificates, key };
}

function subjectField(certificate: X509Certificate, name: string): string | undefined {
  for (const line of certificate.subject.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0 && line.slice(0, at) === name) return line.slice(at + 1);
  }
  return undefined;
}

/** Reads an identity; throws InvalidInput naming what is missing or unreadable. */
export function readIdentity(input: IdentityInput): PassIdentity {
  let certificates: X509Certificate[] = [];
  let privateKey: KeyObject | undefined;
  const keyFrom = (pem: string) => {
    try {
      return createPrivateKey({ key: pem, passphrase: input.password ?? "" });
    } catch {
      throw new InvalidInput(["the private key cannot be read (wrong password, or not a PEM private key)"]);
    }
  };
  if (isPem(input.certificate)) {
    const text = input.certificate.toString("utf8");
    try {
      certificates = pemBlocks(text, /CERTIFICATE$/).map((pem) => new X509Certificate(pem));
    } catch {
      throw new InvalidInput(["the certificate PEM cannot be read"]);
    }
    const keyPem = pemBlocks(text, /PRIVATE KEY$/)[0];
    if (keyPem) privateKey = keyFrom(keyPem);
  } else {
    try {
      certificates = [new X509Certificate(input.certificate)];
    } catch {
      const p12 = readP12(input.certificate, input.password ?? "");
      certificates = p12.certificates;
      privateKey = p12.key;
    }
  }
  if (input.privateKey) {
    const keyPem = pemBlocks(input.privateKey.toString("utf8"), /PRIVATE KEY$/)[0];
    if (!keyPem) throw new InvalidInput(["the private key must be PEM (-----BEGIN PRIVATE KEY-----)"]);
    privateKey = keyFrom(keyPem);
  }
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
export function identityProblems(identity: PassIdentity, issuer: X509Certificate, now = new Date()): string[] {
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
