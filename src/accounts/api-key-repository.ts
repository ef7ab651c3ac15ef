// Storage of accounts and their API keys.

import { inPrismaTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { Prisma } from "../generated/prisma/client.js";

export interface StoredApiKey {
  id: number;
  accountId: number;
  key: string;
  name: string;
  secretHash: string;
  createdAt: Date;
  revokedAt: Date | null;
  scopes: string[];
  projectId: number | null;
}

export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaClient) {}

  findByKey(key: string, db: Prisma.TransactionClient = this.prisma): Promise<StoredApiKey | null> {
    return db.apiKey.findUnique({ where: { key } });
  }

  findBySecretHash(secretHash: string, db: Prisma.TransactionClient = this.prisma): Promise<StoredApiKey | null> {
    return db.apiKey.findUnique({ where: { secretHash } });
  }

  list(db: Prisma.TransactionClient = this.prisma): Promise<StoredApiKey[]> {
    return db.apiKey.findMany({ orderBy: { id: "asc" } });
  }

  /** Creates the key in `accountId`, or in a new account named after the key when no account is given. */
  async create(input: {
    key: string;
    name: string;
    secretHash: string;
    accountId?: number;
    scopes?: string[];
    projectId?: number;
  }): Promise<StoredApiKey> {
    try {
      return await inPrismaTransaction(this.prisma, async (tx) => {
        const accountId = input.accountId ?? (await tx.account.create({ data: { name: input.name } })).id;
        return tx.apiKey.create({
          data: {
            accountId,
            key: input.key,
            name: input.name,
            secretHash: input.secretHash,
            scopes: input.scopes ?? [],
            projectId: input.projectId ?? null,
          },
        });
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
        throw new AppError("API_KEY_EXISTS", `API key "${input.key}" already exists`);
      }
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003") {
        throw new AppError("ACCOUNT_NOT_FOUND", `Account ${input.accountId} not found`);
      }
      throw error;
    }
  }

  /** Whether the key with this id exists and is not revoked. */
  async isLive(id: number, db: Prisma.TransactionClient = this.prisma): Promise<boolean> {
    return (await db.apiKey.count({ where: { id, revokedAt: null } })) > 0;
  }

  /** Marks the key revoked; returns false when no such key exists. */
  async revoke(key: string, at: Date, db: Prisma.TransactionClient = this.prisma): Promise<boolean> {
    const { count } = await db.apiKey.updateMany({ where: { key, revokedAt: null }, data: { revokedAt: at } });
    if (count > 0) return true;
    return (await db.apiKey.count({ where: { key } })) > 0;
  }
}
