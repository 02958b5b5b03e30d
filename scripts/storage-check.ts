/**
 * `npm run storage:check [-- --fix [--force]] [-- --restore]`: reports (and with --fix repairs)
 * expired uploads, stale multipart uploads, stuck processing, queued deletions, objects with no
 * row and rows with no object. Dry run by default. A database and bucket that do not carry the
 * same install identity are reported first, and --fix then changes nothing (exit code 3).
 * --force lets --fix pass the removal brake; --restore brings quarantined objects back.
 * --installation only checks (and binds) the install identity: `npm start` runs it before the app.
 */
import path from "node:path";
import { loadEnvConfig } from "@next/env";
import { readRunningStack, startStack, type Stack } from "./embedded/stack";

loadEnvConfig(process.cwd());
const fix = process.argv.includes("--fix");
const force = process.argv.includes("--force");
const restore = process.argv.includes("--restore");
const installationOnly = process.argv.includes("--installation");
/** Exit code when database and bucket do not belong together (npm start tells it apart from other failures). */
const MISMATCH_EXIT = 3;

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
  const { getStorage } = await import("@/lib/storage");
  const { checkInstallation } = await import("@/lib/installation/identity");
  const storage = getStorage();
  const finish = async (code: number) => {
    await stack?.stop();
    process.exit(code);
  };

  // Binding writes only what is missing from a pair that plainly belongs together; a dry run writes nothing.
  const identity = await checkInstallation(storage, { bind: fix || restore || installationOnly });
  if (!identity.ok) console.error(`${identity.message}\n`);
  else if (installationOnly || identity.action !== "matched") console.log(`Install identity ${identity.id} (${identity.action}).`);
  if (installationOnly) return finish(identity.ok ? 0 : MISMATCH_EXIT);

  if (restore) {
    if (!identity.ok) return finish(MISMATCH_EXIT);
    const { restoreQuarantine } = await import("@/lib/sweeper/restore");
    const restored = await restoreQuarantine(storage, (line) => console.log(`  ${line}`));
    console.log("Restored from quarantine:");
    for (const [kind, count] of Object.entries(restored)) console.log(`  ${kind.padEnd(18)} ${count}`);
    return finish(0);
  }

  const { sweep } = await import("@/lib/sweeper");
  // With a mismatch, --fix reports like a dry run and changes nothing.
  const fixing = fix && identity.ok;
  const report = await sweep({ fix: fixing, force, log: (line) => console.log(`  ${line}`) });
  console.log(fixing ? "Found and fixed:" : fix ? "Found (nothing changed: see above):" : "Found (dry run; add --fix to repair):");
  const counts = Object.entries(report).filter((entry): entry is [string, number] => typeof entry[1] === "number");
  for (const [kind, count] of counts) console.log(`  ${kind.padEnd(18)} ${count}`);
  const total = counts.reduce((sum, [, count]) => sum + count, 0);
  if (report.halted) console.error(`\nStopped before changing anything: ${report.halted}`);
  else console.log(total === 0 ? "Storage and database agree." : `${total} issue${total === 1 ? "" : "s"}${fixing ? " repaired" : ""}.`);
  if (!identity.ok) return finish(MISMATCH_EXIT);
  return finish(report.halted ? 2 : 0);
}

main().catch((error: unknown) => {
  console.error(`storage:check failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
