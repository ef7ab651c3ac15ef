// Storage of NFC merchants, always scoped to a project the caller's account owns.
import type { NfcMerchant, Prisma, PrismaClient } from "../../../generated/prisma/client.js";

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
  constructor(private readonly prisma: PrismaClient) {}

  list(projectId: number, db: Prisma.TransactionClient = this.prisma): Promise<NfcMerchantRow[]> {
    return db.nfcMerchant.findMany({ where: { projectId }, orderBy: { createdAt: "asc" } });
  }

  find(projectId: number, id: string, db: Prisma.TransactionClient = this.prisma): Promise<NfcMerchantRow | null> {
    return db.nfcMerchant.findFirst({ where: { projectId, id } });
  }

  create(
    projectId: number,
    id: string,
    fields: NfcMerchantFields,
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<NfcMerchantRow> {
    return db.nfcMerchant.create({ data: { id, projectId, ...fields } });
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
      data: { ...changes, updatedAt: new Date() },
    });
    return count === 0 ? null : this.find(projectId, id);
  }

  async delete(projectId: number, id: string, db: Prisma.TransactionClient = this.prisma): Promise<boolean> {
    const { count } = await db.nfcMerchant.deleteMany({ where: { projectId, id } });
    return count > 0;
  }
}
