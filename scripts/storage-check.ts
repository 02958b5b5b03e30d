/**
 * `npm run storage:check [-- --fix]`: reports (and with --fix repairs) expired
 * uploads, stale multipart uploads, stuck processing, queued deletions, objects
 * with no row and rows with no object. Dry run by default.
 */
import path from "node:path";
import { loadEnvConfig } from "@next/env";
import { readRunningStack, startStack, type Stack } from "./embedded/stack";

loadEnvConfig(process.cwd());
const fix = process.argv.includes("--fix");

/** Uses the configured services, else the embedded ones `npm start` is running, else starts them. */
async function connect(): Promise<Stack | undefined> {
  // Configured services win: a launcher running embedded ones in this folder is someone else's setup.
  const configured = process.env.DATABASE_URL && (process.env.STORAGE_DRIVER === "azure" || process.env.S3_BUCKET);
  const running = configured ? undefined : readRunningStack(process.cwd());
  if (running) {
    Object.assign(process.env, running);
    return undefined;
  }
  const stack = await startStack({ dataDir: path.join(process.cwd(), ".data"), appUrl: process.env.APP_URL ?? "http://localhost:3000" });
  Object.assign(process.env, stack.env);
  return stack;
}

async function main() {
  const stack = await connect();
  const { sweep } = await import("@/lib/sweeper");
  const report = await sweep({ fix, log: (line) => console.log(`  ${line}`) });
  console.log(fix ? "Found and fixed:" : "Found (dry run; add --fix to repair):");
  for (const [kind, count] of Object.entries(report)) console.log(`  ${kind.padEnd(18)} ${count}`);
  const total = Object.values(report).reduce((a, b) => a + b, 0);
  console.log(total === 0 ? "Storage and database agree." : `${total} issue${total === 1 ? "" : "s"}${fix ? " repaired" : ""}.`);
  await stack?.stop();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(`storage:check failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
