// A minimal DER writer and reader: just what CMS signatures and X.509 certificates need. Hand-built DER keeps
// the signer free of ASN.1 object trees on the hot path (each signature is a few Buffer.concat calls).

const TAG = {
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One tag-length-value. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = content.length === 1 ? content[0]! : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const sequence = (...items: Buffer[]) => tlv(TAG.sequence, ...items);
/** A SET OF, sorted as DER requires. */
export const setOf = (...items: Buffer[]) => tlv(TAG.set, ...[...items].sort(Buffer.compare));
export const octetString = (bytes: Buffer) => tlv(TAG.octetString, bytes);
export const bitString = (bytes: Buffer) => tlv(TAG.bitString, Buffer.from([0]), bytes);
export const nullValue = () => Buffer.from([TAG.null, 0]);
export const utf8String = (text: string) => tlv(TAG.utf8String, Buffer.from(text, "utf8"));
export const printableString = (text: string) => tlv(TAG.printableString, Buffer.from(text, "ascii"));
/**
 * A constructed, context-specific [n]: an EXPLICIT wrapper, or an IMPLICIT constructed value (a SET OF under a
 * context tag) — the bytes are the same.
 */
export const contextTag = (n: number, ...content: Buffer[]) => tlv(0xa0 | n, ...content);

/** A non-negative INTEGER from its big-endian magnitude. */
export function integer(value: Buffer | number): Buffer {
  let bytes = value as Buffer;
  if (typeof value === "number") {
    const hex = value.toString(16);
    bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex");
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && bytes[start + 1]! < 0x80) start++;
  bytes = bytes.subarray(start);
  if (bytes[0]! >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.integer, bytes);
}

const oidCache = new Map<string, Buffer>();
export function oid(dotted: string): Buffer {
  const cached = oidCache.get(dotted);
  if (cached) return cached;
  const parts = dotted.split(".").map(Number);
  const bytes = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk = [part & 0x7f];
    for (let n = Math.floor(part / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
    bytes.push(...chunk);
  }
  const encoded = tlv(TAG.oid, Buffer.from(bytes));
  oidCache.set(dotted, encoded);
  return encoded;
}

/** UTCTime for 1950–2049 (as RFC 5280 requires), GeneralizedTime after. */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, "");
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(TAG.utcTime, Buffer.from(`${digits.slice(2)}Z`, "ascii"));
  return tlv(TAG.generalizedTime, Buffer.from(`${digits}Z`, "ascii"));
}

export const OID = {
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  sha256: "2.16.840.1.101.3.4.2.1",
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  country: "2.5.4.6",
  organization: "2.5.4.10",
  organizationalUnit: "2.5.4.11",
  userId: "0.9.2342.19200300.100.1.1",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

// ---- reading ----

export interface Element {
  tag: number;
  /** Offsets into the buffer: the whole element, and its content. */
  start: number;
  contentStart: number;
  end: number;
}

/** Reads the element at `offset`. Throws on truncated or indefinite-length input. */
export function readElement(buffer: Buffer, offset: number): Element {
  if (offset + 2 > buffer.length) throw new Error("DER: truncated");
  const tag = buffer[offset]!;
  let length = buffer[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error("DER: unsupported length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buffer[contentStart + i]!;
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > buffer.length) throw new Error("DER: truncated");
  return { tag, start: offset, contentStart, end };
}

/** The children of a constructed element. */
export function children(buffer: Buffer, parent: Element): Element[] {
  const out: Element[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const child = readElement(buffer, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The raw DER of an element. */
export const raw = (buffer: Buffer, element: Element) => buffer.subarray(element.start, element.end);
