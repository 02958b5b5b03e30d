import "server-only";
import { db } from "@/lib/db";
import { getStorage } from "@/lib/storage";

async function probe(check: () => Promise<unknown>): Promise<"ok" | "down"> {
  try {
    await check();
    return "ok";
  } catch {
    return "down";
  }
}

export async function checkHealth() {
  const [database, storage] = await Promise.all([
    probe(() => db.$queryRaw`SELECT 1`),
    // A HEAD of a key that never exists: proves the bucket answers and the credentials work.
    probe(() => getStorage().head("health-check/never-exists")),
  ]);
  return { ok: database === "ok" && storage === "ok", database, storage };
}
