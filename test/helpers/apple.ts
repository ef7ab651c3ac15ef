// Apple test kit: a private PKI (root CA → "WWDR" intermediate → pass type certificate), unpacking and verifying
// .pkpass bundles with independent tools (Python's zipfile, openssl cms), and image fixtures.
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PassIdentity } from "../../src/apple/certificates.js";
import type { AppleSetup } from "../../src/apple/setup.js";
import { type IssuedIdentity, issueIdentity, passCertificateName, toPem } from "../../src/apple/x509.js";

export interface TestPki {
  dir: string;
  root: IssuedIdentity;
  wwdr: IssuedIdentity;
  pass: IssuedIdentity;
  passTypeIdentifier: string;
  teamIdentifier: string;
  rootPem: string;
  wwdrPem: string;
  passCertPem: string;
  passKeyPem: string;
  /** Files: root.pem, wwdr.pem, pass-cert.pem, pass-key.pem */
  files: { root: string; wwdr: string; passCert: string; passKey: string };
  setup: AppleSetup;
}

export function testPki(passTypeIdentifier = "pass.com.example.test", teamIdentifier = "TEAM123456"): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "pki-"));
  const root = issueIdentity(
    [
      ["CN", "Test Root CA"],
      ["O", "Test"],
    ],
    { isCa: true, days: 365 },
  );
  const wwdr = issueIdentity(
    [
      ["CN", "Test Worldwide Developer Relations"],
      ["OU", "G4"],
      ["O", "Test"],
      ["C", "US"],
    ],
    { issuer: root, isCa: true, days: 365 },
  );
  const pass = issueIdentity(passCertificateName(passTypeIdentifier, teamIdentifier, "Test Org"), {
    issuer: wwdr,
    isCa: false,
    days: 365,
  });
  const files = {
    root: join(dir, "root.pem"),
    wwdr: join(dir, "wwdr.pem"),
    passCert: join(dir, "pass-cert.pem"),
    passKey: join(dir, "pass-key.pem"),
  };
  const passKeyPem = pass.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  writeFileSync(files.root, toPem(root.certificate));
  writeFileSync(files.wwdr, toPem(wwdr.certificate));
  writeFileSync(files.passCert, toPem(pass.certificate));
  writeFileSync(files.passKey, passKeyPem);
  const wwdrCertificate = new X509Certificate(wwdr.certificate);
  const defaultIdentity: PassIdentity = {
    certificate: new X509Certificate(pass.certificate),
    privateKey: pass.privateKey,
    chain: [wwdrCertificate],
    passTypeIdentifier,
    teamIdentifier,
    organizationName: "Test Org",
  };
  return {
    dir,
    root,
    wwdr,
    pass,
    passTypeIdentifier,
    teamIdentifier,
    rootPem: toPem(root.certificate),
    wwdrPem: toPem(wwdr.certificate),
    passCertPem: toPem(pass.certificate),
    passKeyPem,
    files,
    setup: { wwdr: wwdrCertificate, defaultIdentity },
  };
}

export interface Unpacked {
  dir: string;
  files: Record<string, Buffer>;
  passJson: Record<string, unknown>;
  manifest: Record<string, string>;
}

/** Extracts a zip with Python's zipfile (an independent reader that checks every CRC): its folder and files. */
export function extractZip(bytes: Buffer): { dir: string; files: Record<string, Buffer> } {
  const dir = mkdtempSync(join(tmpdir(), "zip-"));
  writeFileSync(join(dir, "archive.zip"), bytes);
  execFileSync("python3", [
    "-c",
    "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; z.extractall(sys.argv[2])",
    join(dir, "archive.zip"),
    join(dir, "out"),
  ]);
  const files: Record<string, Buffer> = {};
  for (const name of readdirSync(join(dir, "out"))) files[name] = readFileSync(join(dir, "out", name));
  return { dir: join(dir, "out"), files };
}

/** Extracts a .pkpass (extractZip) with its pass.json and manifest read. */
export function unpack(pkpass: Buffer): Unpacked {
  const { dir, files } = extractZip(pkpass);
  return {
    dir,
    files,
    passJson: JSON.parse(files["pass.json"]!.toString("utf8")),
    manifest: JSON.parse(files["manifest.json"]!.toString("utf8")),
  };
}

/** `openssl cms -verify` of a detached DER signature over `contentFile`, chaining to `rootPemFile`; throws if not. */
export function verifyDetached(signatureFile: string, contentFile: string, rootPemFile: string): void {
  execFileSync(
    "openssl",
    [
      "cms",
      "-verify",
      "-binary",
      "-inform",
      "DER",
      "-in",
      signatureFile,
      "-content",
      contentFile,
      "-CAfile",
      rootPemFile,
      "-purpose",
      "any",
      "-out",
      "/dev/null",
    ],
    { stdio: "pipe" },
  );
}

/**
 * Checks a bundle as Wallet does: the manifest lists every other file with its SHA-1, and `openssl cms -verify`
 * accepts the detached signature over manifest.json, chaining to `rootPemFile`. Returns the unpacked bundle and
 * the signature's printed structure.
 */
export function verifyBundle(pkpass: Buffer, rootPemFile: string): Unpacked & { cms: string } {
  const unpacked = unpack(pkpass);
  const listed = Object.keys(unpacked.manifest).sort();
  const present = Object.keys(unpacked.files)
    .filter((n) => n !== "manifest.json" && n !== "signature")
    .sort();
  if (JSON.stringify(listed) !== JSON.stringify(present)) {
    throw new Error(`manifest lists ${listed.join(",")} but the bundle holds ${present.join(",")}`);
  }
  for (const name of listed) {
    const sha1 = createHash("sha1").update(unpacked.files[name]!).digest("hex");
    if (unpacked.manifest[name] !== sha1) throw new Error(`manifest hash of ${name} is wrong`);
  }
  verifyDetached(join(unpacked.dir, "signature"), join(unpacked.dir, "manifest.json"), rootPemFile);
  const cms = execFileSync("openssl", [
    "cms",
    "-cmsout",
    "-print",
    "-inform",
    "DER",
    "-in",
    join(unpacked.dir, "signature"),
  ]).toString();
  return { ...unpacked, cms };
}

/** A small valid PNG (solid colour), made with Python's zlib so the fixture does not come from our encoder. */
export function pngFixture(width: number, height: number, rgb: [number, number, number] = [200, 30, 30]): Buffer {
  const script = `
import sys, zlib, struct
w, h, r, g, b = map(int, sys.argv[1:6])
raw = b''.join(b'\\x00' + bytes([r, g, b]) * w for _ in range(h))
def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
sys.stdout.buffer.write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
`;
  return execFileSync("python3", ["-c", script, ...[width, height, ...rgb].map(String)]);
}
