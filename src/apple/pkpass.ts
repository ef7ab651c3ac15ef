// The .pkpass bundle: pass.json, the images, personalization.json when the holder is to be asked, manifest.json
// (SHA-1 of every file) and its detached CMS signature, stored in a ZIP. Image entries and hashes are computed
// once per image and reused by every pass that shows it.
import { createHash } from "node:crypto";
import type { CmsSigner } from "./signer.js";
import { type ZipEntry, zip, zipEntry } from "./zip.js";

export interface BundleFile {
  name: string;
  data: Buffer;
  /** A stable id of `data` (its SHA-256), for the entry cache. */
  id: string;
}

interface PreparedFile {
  sha1: string;
  entry: ZipEntry;
}

const sha1 = (data: Buffer) => createHash("sha1").update(data).digest("hex");

export class PkpassWriter {
  private readonly prepared = new Map<string, PreparedFile>();

  private file(file: BundleFile): PreparedFile {
    const key = `${file.name}\0${file.id}`;
    let prepared = this.prepared.get(key);
    if (!prepared) {
      if (this.prepared.size >= 5000) this.prepared.delete(this.prepared.keys().next().value as string);
      prepared = { sha1: sha1(file.data), entry: zipEntry(file.name, file.data) };
      this.prepared.set(key, prepared);
    }
    return prepared;
  }

  /** Signs and zips a pass. `json` holds the per-pass files (pass.json, personalization.json). */
  write(signer: CmsSigner, json: Record<string, unknown>, files: BundleFile[], at: Date): Buffer {
    const manifest: Record<string, string> = {};
    const entries: ZipEntry[] = [];
    for (const [name, value] of Object.entries(json)) {
      const data = Buffer.from(JSON.stringify(value));
      manifest[name] = sha1(data);
      entries.push(zipEntry(name, data));
    }
    for (const file of files) {
      const prepared = this.file(file);
      manifest[file.name] = prepared.sha1;
      entries.push(prepared.entry);
    }
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    entries.push(zipEntry("manifest.json", manifestBytes), zipEntry("signature", signer.sign(manifestBytes, at)));
    return zip(entries);
  }
}
