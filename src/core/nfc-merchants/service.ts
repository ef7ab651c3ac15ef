// The rules of NFC merchants: key generation or validation, the once-only private key, immutable keys.
import { randomUUID } from "node:crypto";
import type { Clock } from "../../clock.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import { AppError, notFound } from "../../errors.js";
import type { ProjectKey, ProjectRepository } from "../projects/repository.js";
import { generateNfcKeyPair, parseNfcPublicKey } from "./keys.js";
import type { NfcMerchantRepository, NfcMerchantRow } from "./repository.js";
import type { NfcMerchantCreateBody, NfcMerchantUpdateBody } from "./types.js";

/** NFC merchants one project may have (a project's list answers them all). */
export const MAX_MERCHANTS_PER_PROJECT = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function merchantResponse(row: NfcMerchantRow) {
  const optional = (name: string, value: string | null) => (value === null ? {} : { [name]: value });
  return {
    merchantId: row.id,
    projectId: row.projectId,
    vendor: row.vendor,
    ...optional("merchantName", row.merchantName),
    ...optional("merchantEmail", row.merchantEmail),
    ...optional("terminalProvider", row.terminalProvider),
    publicKeyPem: row.publicKeyPem,
    keyVersion: row.keyVersion,
    keySource: row.keySource,
    ...optional("smartTapIssuerId", row.smartTapIssuerId),
    ...optional("smartTapCollectorId", row.smartTapCollectorId),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export class NfcMerchantService {
  constructor(
    private readonly projects: Pick<ProjectRepository, "findId">,
    private readonly merchants: NfcMerchantRepository,
    private readonly clock: Clock,
  ) {}

  private async projectId(accountId: number, key: ProjectKey): Promise<number> {
    const id = await this.projects.findId(accountId, key);
    if (id === null) throw notFound("Project");
    return id;
  }

  async list(accountId: number, project: ProjectKey) {
    const rows = await this.merchants.list(await this.projectId(accountId, project));
    return { merchants: rows.map(merchantResponse) };
  }

  async get(accountId: number, project: ProjectKey, merchantId: string) {
    const projectId = await this.projectId(accountId, project);
    const row = UUID.test(merchantId) ? await this.merchants.find(projectId, merchantId.toLowerCase()) : null;
    if (!row) throw notFound("NFC merchant");
    return merchantResponse(row);
  }

  /** Adds a merchant; without a publicKeyPem a P-256 pair is generated and its private key returned this once. */
  async create(accountId: number, project: ProjectKey, body: NfcMerchantCreateBody) {
    const projectId = await this.projectId(accountId, project);
    let publicKeyPem: string;
    let privateKeyPem: string | undefined;
    if (body.publicKeyPem !== undefined) {
      parseNfcPublicKey(body.publicKeyPem);
      publicKeyPem = body.publicKeyPem;
    } else {
      ({ publicKeyPem, privateKeyPem } = generateNfcKeyPair());
    }
    const row = await this.merchants.create(
      projectId,
      randomUUID(),
      {
        vendor: body.vendor ?? "ANY",
        merchantName: body.merchantName ?? null,
        merchantEmail: body.merchantEmail ?? null,
        terminalProvider: body.terminalProvider ?? null,
        publicKeyPem,
        keyVersion: body.keyVersion ?? 1,
        keySource: privateKeyPem === undefined ? "IMPORTED" : "GENERATED",
        smartTapIssuerId: body.smartTapIssuerId ?? null,
        smartTapCollectorId: body.smartTapCollectorId ?? null,
      },
      MAX_MERCHANTS_PER_PROJECT,
    );
    if (row === "full") {
      throw new InvalidInput([`a project has at most ${MAX_MERCHANTS_PER_PROJECT} NFC merchants`]);
    }
    return { ...merchantResponse(row), ...(privateKeyPem === undefined ? {} : { privateKeyPem }) };
  }

  async update(accountId: number, project: ProjectKey, merchantId: string, body: NfcMerchantUpdateBody) {
    const projectId = await this.projectId(accountId, project);
    if (!UUID.test(merchantId)) throw notFound("NFC merchant");
    const { publicKeyPem, ...changes } = body;
    if (publicKeyPem !== undefined) {
      const current = await this.merchants.find(projectId, merchantId.toLowerCase());
      if (!current) throw notFound("NFC merchant");
      if (publicKeyPem.trim() !== current.publicKeyPem.trim()) {
        throw new AppError(
          "NFC_KEY_IMMUTABLE",
          "NFC keys cannot be changed: add a new NFC merchant with the new key and delete this one",
          {
            field: "publicKeyPem",
          },
        );
      }
    }
    const row = await this.merchants.update(projectId, merchantId.toLowerCase(), changes);
    if (!row) throw notFound("NFC merchant");
    return merchantResponse(row);
  }

  async delete(accountId: number, project: ProjectKey, merchantId: string) {
    const projectId = await this.projectId(accountId, project);
    const deleted = UUID.test(merchantId) && (await this.merchants.delete(projectId, merchantId.toLowerCase()));
    if (!deleted) throw notFound("NFC merchant");
    return { merchantId: merchantId.toLowerCase(), updatedAt: new Date(this.clock.now()).toISOString() };
  }
}
