import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";

/**
 * The one Prisma client. Cached on globalThis in every environment: Next bundles
 * route handlers and pages separately, and two clients would each open a pool
 * (the embedded PGlite server accepts few connections).
 */
const globalForDb = globalThis as unknown as { snapshelfDb?: PrismaClient };

function createClient() {
  const adapter = new PrismaPg({
    connectionString: env.DATABASE_URL,
    max: env.DATABASE_POOL_SIZE,
    connectionTimeoutMillis: 5_000,
  });
  // Under load every connection of a small pool is busy and a transaction waits its turn:
  // Prisma's defaults (2 s to get a connection, 5 s to finish) failed uploads at 20 at once.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 15_000 } });
}

export const db = (globalForDb.snapshelfDb ??= createClient());
export { Prisma } from "@/lib/generated/prisma/client";
