// Storage of NFC merchants, always scoped to a project the caller's account owns.

import type { Clock } from "../../clock.js";
import { inPrismaTransaction } from "../../db/transaction.js";
import type { NfcMerchant, Prisma, PrismaClient } from "../../generated/prisma/client.js";

export type NfcMerchantRow = NfcMerchant;

export type NfcMerchantFields = Pick<
  NfcMerchant,
  | "vendor"
  | "merchantName"
  | "merchantEmail"
  | "terminalProvider"
  | "publicKeyPem"
  | "keyVersion"
  | "keySource"
  | "smartTapIssuerId"
  | "smartTapCollectorId"
>;

export class NfcMerchantRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock,
  ) {}

  list(projectId: number, db: Prisma.TransactionClient = this.prisma): Promise<NfcMerchantRow[]> {
    return db.nfcMerchant.findMany({ where: { projectId }, orderBy: { createdAt: "asc" } });
  }

  find(projectId: number, id: string, db: Prisma.TransactionClient = this.prisma): Promise<NfcMerchantRow | null> {
    return db.nfcMerchant.findFirst({ where: { projectId, id } });
  }

  /** Adds a merchant unless the project has `max` already (the project row is locked: concurrent adds queue). */
  create(projectId: number, id: string, fields: NfcMerchantFields, max: number): Promise<NfcMerchantRow | "full"> {
    return inPrismaTransaction(this.prisma, async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM projects WHERE id = ${projectId} FOR NO KEY UPDATE`;
      if ((await tx.nfcMerchant.count({ where: { projectId } })) >= max) return "full";
      return tx.nfcMerchant.create({ data: { id, projectId, ...fields } });
    });
  }

  async update(
    projectId: number,
    id: string,
    changes: Partial<
      Pick<
        NfcMerchantFields,
        "merchantName" | "merchantEmail" | "terminalProvider" | "smartTapIssuerId" | "smartTapCollectorId"
      >
    >,
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<NfcMerchantRow | null> {
    const { count } = await db.nfcMerchant.updateMany({
      where: { projectId, id },
      data: { ...changes, updatedAt: new Date(this.clock.now()) },
    });
    return count === 0 ? null : this.find(projectId, id);
  }

  async delete(projectId: number, id: string, db: Prisma.TransactionClient = this.prisma): Promise<boolean> {
    const { count } = await db.nfcMerchant.deleteMany({ where: { projectId, id } });
    return count > 0;
  }
}
