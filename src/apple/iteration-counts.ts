// Password-based encryption in uploaded keys (.p12 MAC and bag encryption, PKCS#8 PBKDF2) carries its own
// iteration count, and the cost of reading the file grows with it: a count of billions stalls whatever reads it.
// Counts are read here from the raw DER, before any key derivation, so an upload asking for too many is refused
// up front. Parameters always put the count right after the salt: SEQUENCE { OCTET STRING salt, INTEGER count }.

/** The largest iteration count accepted in an uploaded .p12 or encrypted private key. */
export const MAX_ITERATIONS = 2_000_000;

const MAX_NODES = 20_000;
const MAX_DEPTH = 24;

interface Node {
  tag: number;
  start: number;
  end: number;
}

/** The TLVs directly inside bytes[from, to); undefined when they are not well-formed DER. */
function children(bytes: Buffer, from: number, to: number): Node[] | undefined {
  const nodes: Node[] = [];
  let at = from;
  while (at < to) {
    if (at + 2 > to) return undefined;
    const tag = bytes[at]!;
    if ((tag & 0x1f) === 0x1f) return undefined; // multi-byte tags do not occur here
    let length = bytes[at + 1]!;
    let header = 2;
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 4 || at + 2 + count > to) return undefined;
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[at + 2 + i]!;
      header += count;
    }
    const start = at + header;
    const end = start + length;
    if (end > to) return undefined;
    nodes.push({ tag, start, end });
    at = end;
  }
  return nodes;
}

/** A DER INTEGER's value (Infinity when it does not fit in a safe integer, e.g. 2^64). */
function integerValue(bytes: Buffer, node: Node): number {
  let value = 0;
  for (let i = node.start; i < node.end; i++) {
    value = value * 256 + bytes[i]!;
    if (value > Number.MAX_SAFE_INTEGER) return Number.POSITIVE_INFINITY;
  }
  return value;
}

/**
 * The largest iteration count anywhere in a DER structure: in SEQUENCEs holding an OCTET STRING salt followed
 * by an INTEGER, looking inside OCTET STRINGs that themselves hold DER (PKCS#12 nests its safes that way).
 * Encrypted content cannot be looked into; the reader's time limit covers what hides there.
 */
export function largestIterationCount(der: Buffer): number {
  let largest = 0;
  let visited = 0;
  const walk = (from: number, to: number, depth: number) => {
    if (depth > MAX_DEPTH) return;
    const nodes = children(der, from, to);
    if (!nodes) return;
    for (let i = 0; i < nodes.length; i++) {
      if (++visited > MAX_NODES) return;
      const node = nodes[i]!;
      const previous = nodes[i - 1];
      if (node.tag === 0x02 && previous?.tag === 0x04) largest = Math.max(largest, integerValue(der, node));
      const constructed = (node.tag & 0x20) !== 0;
      if (constructed || node.tag === 0x04) walk(node.start, node.end, depth + 1);
    }
  };
  walk(0, der.length, 0);
  return largest;
}

/** The DER inside PEM blocks labelled ENCRYPTED PRIVATE KEY (PKCS#8 with PBES2). */
export function encryptedKeyDer(pemText: string): Buffer[] {
  const re = /-----BEGIN ENCRYPTED PRIVATE KEY-----([\s\S]+?)-----END ENCRYPTED PRIVATE KEY-----/g;
  return [...pemText.matchAll(re)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"));
}
