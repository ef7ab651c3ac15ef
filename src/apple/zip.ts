// A stored (uncompressed) ZIP writer for pass bundles. PNGs are already compressed and pass.json is small, so
// storing is both the fastest choice and what Wallet reads best. Entries that repeat across passes (images) are
// encoded once and reused; only the central directory's offsets are written per bundle.
import { crc32 } from "node:zlib";

export interface ZipEntry {
  name: string;
  /** Local header + data, ready to copy. */
  local: Buffer;
  /** Central directory record without its 4-byte local-header offset (appended per bundle). */
  central: Buffer;
}

// 1980-01-01 00:00 in DOS format: fixed, so identical content makes identical bytes.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

export function zipEntry(name: string, data: Buffer): ZipEntry {
  const nameBytes = Buffer.from(name, "utf8");
  const checksum = crc32(data);
  const local = Buffer.alloc(30 + nameBytes.length + data.length);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(0, 8); // stored
  local.writeUInt16LE(DOS_TIME, 10);
  local.writeUInt16LE(DOS_DATE, 12);
  local.writeUInt32LE(checksum, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  local.writeUInt16LE(0, 28);
  nameBytes.copy(local, 30);
  data.copy(local, 30 + nameBytes.length);

  const central = Buffer.alloc(46 + nameBytes.length);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // made by
  central.writeUInt16LE(20, 6); // needed
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt16LE(DOS_TIME, 12);
  central.writeUInt16LE(DOS_DATE, 14);
  central.writeUInt32LE(checksum, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  // extra, comment, disk, internal and external attributes: 0; the offset at 42 is written per bundle.
  nameBytes.copy(central, 46);
  return { name, local, central };
}

/** The archive of these entries, in order. */
export function zip(entries: ZipEntry[]): Buffer {
  let localSize = 0;
  let centralSize = 0;
  for (const entry of entries) {
    localSize += entry.local.length;
    centralSize += entry.central.length;
  }
  const out = Buffer.allocUnsafe(localSize + centralSize + 22);
  let at = 0;
  const offsets: number[] = [];
  for (const entry of entries) {
    offsets.push(at);
    at += entry.local.copy(out, at);
  }
  const centralStart = at;
  entries.forEach((entry, i) => {
    entry.central.copy(out, at);
    out.writeUInt32LE(offsets[i]!, at + 42);
    at += entry.central.length;
  });
  out.writeUInt32LE(0x06054b50, at);
  out.writeUInt16LE(0, at + 4);
  out.writeUInt16LE(0, at + 6);
  out.writeUInt16LE(entries.length, at + 8);
  out.writeUInt16LE(entries.length, at + 10);
  out.writeUInt32LE(centralSize, at + 12);
  out.writeUInt32LE(centralStart, at + 16);
  out.writeUInt16LE(0, at + 20);
  return out;
}
