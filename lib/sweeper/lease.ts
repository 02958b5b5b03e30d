import "server-only";
import { db } from "@/lib/db";

/**
 * Runs `work` only if no one else holds the named lease, and returns undefined
 * otherwise. Several app instances may each start the sweeper; a lease row in the
 * database lets one of them at a time do it. (A row rather than a session advisory
 * lock: it survives pooled connections and works the same on PGlite.) A holder that
 * dies keeps the lease until `ttlMs` has passed, then anyone may take it.
 *
 * Both the expiry and the comparison use the database's clock, so app instances
 * whose clocks disagree cannot steal a live lease. The lease is exclusive even for
 * the same holder: a second run in one process waits its turn like any other.
 */
export async function withLease<T>(name: string, holder: string, ttlMs: number, work: () => Promise<T>): Promise<T | undefined> {
  // Prisma stores DateTime as UTC in `timestamp without time zone`; compare in UTC too.
  const taken = await db.$executeRaw`
    INSERT INTO "JobLease" ("name", "holder", "expiresAt")
    VALUES (${name}, ${holder}, (now() AT TIME ZONE 'UTC') + ${ttlMs}::integer * interval '1 millisecond')
    ON CONFLICT ("name") DO UPDATE SET "holder" = EXCLUDED."holder", "expiresAt" = EXCLUDED."expiresAt"
    WHERE "JobLease"."expiresAt" < (now() AT TIME ZONE 'UTC')`;
  if (taken === 0) return undefined;
  try {
    return await work();
  } finally {
    // Only our own lease: if we overran the TTL, someone else's may be in its place.
    await db.jobLease.deleteMany({ where: { name, holder } });
  }
}

export const withSweeperLease = <T>(holder: string, ttlMs: number, work: () => Promise<T>) => withLease("sweeper", holder, ttlMs, work);
