// X.509 certificates: issuing them (the development CA and pass certificate, and the tests' own CAs) and reading
// what a CMS signer needs (issuer and serial). Node parses certificates natively but cannot create them.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { type Clock, systemClock } from "../clock.js";
import {
  bitString,
  children,
  contextTag,
  integer,
  nullValue,
  OID,
  octetString,
  oid,
  printableString,
  raw,
  readElement,
  sequence,
  setOf,
  time,
  tlv,
  utf8String,
} from "./der.js";

/** A distinguished name as [attribute, value] pairs, most significant first. */
export type Name = Array<[keyof typeof NAME_ATTRIBUTES, string]>;
const NAME_ATTRIBUTES = {
  C: OID.country,
  O: OID.organization,
  OU: OID.organizationalUnit,
  CN: OID.commonName,
  UID: OID.userId,
} as const;

export function encodeName(name: Name): Buffer {
  return sequence(
    ...name.map(([attribute, value]) =>
      setOf(sequence(oid(NAME_ATTRIBUTES[attribute]), attribute === "C" ? printableString(value) : utf8String(value))),
    ),
  );
}

/** The AlgorithmIdentifier of a SHA-256 signature by this key. */
export function signatureAlgorithm(key: KeyObject): Buffer {
  return key.asymmetricKeyType === "ec"
    ? sequence(oid(OID.ecdsaWithSha256))
    : sequence(oid(OID.sha256WithRsa), nullValue());
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [Buffer.from([0x01, 0x01, 0xff])] : []), octetString(value));
}

/** A BIT STRING of key-usage flags (bit 0 = digitalSignature … bit 6 = cRLSign), DER-minimal. */
function keyUsage(bits: number[]): Buffer {
  let byte = 0;
  for (const bit of bits) byte |= 0x80 >> bit;
  const highest = Math.max(...bits);
  return tlv(0x03, Buffer.from([7 - highest, byte]));
}

export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: "spki", format: "der" });
  const spkiElement = readElement(spki, 0);
  const keyBits = children(spki, spkiElement)[1]!;
  return createHash("sha1")
    .update(spki.subarray(keyBits.contentStart + 1, keyBits.end))
    .digest();
}

export interface CertificateRequest {
  subject: Name;
  publicKey: KeyObject;
  /** The issuer's name and key; omitted for a self-signed certificate. */
  issuer?: { name: Name; privateKey: KeyObject; publicKey: KeyObject };
  signingKey?: KeyObject;
  notBefore?: Date;
  notAfter: Date;
  isCa: boolean;
}

/** Issues a certificate (DER). */
export function issueCertificate(request: CertificateRequest): Buffer {
  const issuerName = request.issuer?.name ?? request.subject;
  const signingKey = request.issuer?.privateKey ?? request.signingKey;
  if (!signingKey) throw new Error("A self-signed certificate needs signingKey");
  const authorityKey = request.issuer?.publicKey ?? request.publicKey;
  const extensions = [
    extension(OID.basicConstraints, true, sequence(...(request.isCa ? [Buffer.from([0x01, 0x01, 0xff])] : []))),
    extension(OID.keyUsage, true, request.isCa ? keyUsage([0, 5, 6]) : keyUsage([0])),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(request.publicKey))),
    extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, keyIdentifier(authorityKey)))),
    ...(request.isCa ? [] : [extension(OID.extKeyUsage, false, sequence(oid(OID.clientAuth)))]),
  ];
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const tbs = sequence(
    contextTag(0, integer(2)),
    integer(serial),
    signatureAlgorithm(signingKey),
    encodeName(issuerName),
    sequence(time(request.notBefore ?? new Date(systemClock.now() - 60_000)), time(request.notAfter)),
    encodeName(request.subject),
    request.publicKey.export({ type: "spki", format: "der" }),
    contextTag(3, sequence(...extensions)),
  );
  return sequence(tbs, signatureAlgorithm(signingKey), bitString(sign("sha256", tbs, signingKey)));
}

export const toPem = (der: Buffer, label = "CERTIFICATE") =>
  `-----BEGIN ${label}-----\n${der
    .toString("base64")
    .match(/.{1,64}/g)!
    .join("\n")}\n-----END ${label}-----\n`;

export interface IssuedIdentity {
  certificate: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  name: Name;
}

/** A new RSA-2048 key pair and a certificate for it. */
export function issueIdentity(
  subject: Name,
  options: { issuer?: IssuedIdentity; isCa: boolean; days: number; notBefore?: Date; clock?: Clock },
): IssuedIdentity {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const notBefore = options.notBefore ?? new Date((options.clock ?? systemClock).now() - 60_000);
  const certificate = issueCertificate({
    subject,
    publicKey,
    signingKey: privateKey,
    issuer: options.issuer && {
      name: options.issuer.name,
      privateKey: options.issuer.privateKey,
      publicKey: options.issuer.publicKey,
    },
    notBefore,
    notAfter: new Date(notBefore.getTime() + options.days * 86_400_000),
    isCa: options.isCa,
  });
  return { certificate, privateKey, publicKey, name: subject };
}

/** The subject of an Apple pass type certificate: UID = pass type id, OU = team id. */
export function passCertificateName(passTypeIdentifier: string, teamIdentifier: string, organization: string): Name {
  return [
    ["UID", passTypeIdentifier],
    ["CN", `Pass Type ID: ${passTypeIdentifier}`],
    ["OU", teamIdentifier],
    ["O", organization],
    ["C", "US"],
  ];
}

/** The issuer Name and serial INTEGER of a certificate, as raw DER (a CMS IssuerAndSerialNumber). */
export function issuerAndSerial(certificateDer: Buffer): Buffer {
  const certificate = readElement(certificateDer, 0);
  const tbs = children(certificateDer, certificate)[0]!;
  const parts = children(certificateDer, tbs);
  const offset = parts[0]!.tag === 0xa0 ? 1 : 0;
  return sequence(raw(certificateDer, parts[offset + 2]!), raw(certificateDer, parts[offset]!));
}
