// The pass signer: a detached CMS SignedData over manifest.json, as Apple Wallet requires — SHA-256, signed
// attributes contentType, signingTime and messageDigest, and the pass certificate plus the WWDR intermediate.
// Everything that does not change per pass (certificates, signer id, algorithm identifiers) is encoded once;
// a signature is one hash, one native RSA/ECDSA operation and a few small Buffer.concat calls.
import { createHash, type KeyObject, sign } from "node:crypto";
import { contextTag, integer, nullValue, OID, octetString, oid, sequence, setOf, time } from "./der.js";
import { issuerAndSerial } from "./x509.js";

export interface SigningMaterial {
  /** The pass type certificate (DER). */
  certificate: Buffer;
  privateKey: KeyObject;
  /** Intermediates to embed after it: Apple's WWDR certificate (DER). */
  chain: Buffer[];
}

export class CmsSigner {
  private readonly head: Buffer;
  private readonly certificates: Buffer;
  private readonly signerId: Buffer;
  private readonly digestAlgorithm = sequence(oid(OID.sha256), nullValue());
  private readonly signatureAlgorithm: Buffer;
  private readonly contentTypeAttribute = sequence(oid(OID.contentType), setOf(oid(OID.data)));
  private signingTimeSecond = -1;
  private signingTimeAttribute: Buffer = Buffer.alloc(0);

  constructor(private readonly material: SigningMaterial) {
    this.certificates = contextTag(0, material.certificate, ...material.chain);
    this.signerId = issuerAndSerial(material.certificate);
    this.signatureAlgorithm =
      material.privateKey.asymmetricKeyType === "ec"
        ? sequence(oid(OID.ecdsaWithSha256))
        : sequence(oid(OID.rsaEncryption), nullValue());
    this.head = Buffer.concat([
      integer(1),
      setOf(this.digestAlgorithm),
      sequence(oid(OID.data)), // detached: no eContent
    ]);
  }

  /** The signing time attribute, re-encoded at most once a second. */
  private signingTime(at: Date): Buffer {
    const second = Math.floor(at.getTime() / 1000);
    if (second !== this.signingTimeSecond) {
      this.signingTimeSecond = second;
      this.signingTimeAttribute = sequence(oid(OID.signingTime), setOf(time(new Date(second * 1000))));
    }
    return this.signingTimeAttribute;
  }

  /** The DER `signature` file for `content` (manifest.json). */
  sign(content: Buffer, at: Date): Buffer {
    const digest = createHash("sha256").update(content).digest();
    const attributes = setOf(
      this.contentTypeAttribute,
      this.signingTime(at),
      sequence(oid(OID.messageDigest), setOf(octetString(digest))),
    );
    // The signature covers the attributes encoded as a SET; they are stored under [0] IMPLICIT.
    const signature = sign("sha256", attributes, this.material.privateKey);
    attributes[0] = 0xa0;
    const signerInfo = sequence(
      integer(1),
      this.signerId,
      this.digestAlgorithm,
      attributes,
      this.signatureAlgorithm,
      octetString(signature),
    );
    const signedData = sequence(this.head, this.certificates, setOf(signerInfo));
    return sequence(oid(OID.signedData), contextTag(0, signedData));
  }
}
