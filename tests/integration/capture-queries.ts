/**
 * Records the SQL Prisma sends, so a test can EXPLAIN exactly what the data layer
 * runs rather than a hand-written copy of it.
 *
 * Import this before anything that imports "@/lib/db": lib/db reuses a client
 * cached on globalThis (`snapshelfDb`), and this puts a logging one there first.
 * Vitest runs each test file in a fresh worker, so the swap stays in one file.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";

export type CapturedQuery = { sql: string; params: unknown[]; durationMs: number };

const captured: CapturedQuery[] = [];

const client = new PrismaClient({
  adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: Number(process.env.DATABASE_POOL_SIZE || 2) }),
  log: [{ emit: "event", level: "query" }],
});
client.$on("query", (event) => captured.push({ sql: event.query, params: JSON.parse(event.params) as unknown[], durationMs: event.duration }));
(globalThis as { snapshelfDb?: PrismaClient }).snapshelfDb = client;

/** Runs `work` and returns the statements it sent, in order. */
export async function captureQueries<T>(work: () => Promise<T>): Promise<{ result: T; queries: CapturedQuery[] }> {
  const from = captured.length;
  const result = await work();
  return { result, queries: captured.slice(from) };
}
