// Prisma CLI configuration, for `prisma migrate deploy` wherever Prisma's schema engine is available.
// The server itself applies prisma/migrations with its own runner (src/db/migrate.ts).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
