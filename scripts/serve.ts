/**
 * `npm start` / `npm run dev`: brings up the embedded defaults that the
 * configuration leaves out, applies migrations, checks that database and bucket
 * belong together (binding a fresh pair), builds when the sources changed,
 * then runs Next.js. Ctrl-C or SIGTERM stops everything it started.
 *
 *   tsx scripts/serve.ts start|dev [--port 3000]
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { loadEnvConfig } from "@next/env";
import { startStack, writeRunningStack, clearRunningStack } from "./embedded/stack";

const mode = process.argv[2] === "dev" ? "dev" : "start";
const portFlag = process.argv.indexOf("--port");
const root = process.cwd();

loadEnvConfig(root, mode === "dev");
process.env.NEXT_TELEMETRY_DISABLED = "1";
const port = portFlag > 0 ? process.argv[portFlag + 1]! : process.env.PORT || "3000";
const appUrl = process.env.APP_URL || `http://localhost:${port}`;

const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");

/** A production build is stale when any source file is newer than it. */
function buildIsStale(): boolean {
  const buildId = path.join(root, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  const newer = (entry: string): boolean => {
    const full = path.join(root, entry);
    if (!existsSync(full)) return false;
    const stat = statSync(full);
    if (!stat.isDirectory()) return stat.mtimeMs > builtAt;
    return readdirSync(full).some((name) => name !== "generated" && newer(path.join(entry, name)));
  };
  return ["app", "components", "lib", "public", "proxy.ts", "next.config.js", "package-lock.json", "prisma/schema.prisma"].some(newer);
}

/** The variables that make startStack use external storage (scripts/embedded/stack.ts decides the same way). */
function externalStorageVariables(): string[] {
  const set = ["S3_BUCKET", "S3_ENDPOINT"].filter((name) => process.env[name]);
  if (process.env.STORAGE_DRIVER === "azure") set.unshift("STORAGE_DRIVER=azure");
  return set;
}

/**
 * An empty embedded database beside a real bucket is how a library gets emptied (every object
 * looks like an orphan to it): refuse before anything starts.
 */
function refuseEmbeddedDatabaseBesideExternalStorage() {
  const storage = externalStorageVariables();
  if (process.env.DATABASE_URL || storage.length === 0) return;
  throw new Error(
    `${storage.join(" and ")} ${storage.length === 1 ? "is" : "are"} set, but DATABASE_URL is not. Without DATABASE_URL ` +
      "Snapshelf would start an empty embedded database (PGlite) beside your bucket. Set DATABASE_URL to the PostgreSQL " +
      "database this bucket belongs to (or unset the storage variables to use the embedded S3 in .data/).",
  );
}

/** What storage:check's --installation exit code 3 means: database and bucket do not belong together. */
const INSTALLATION_MISMATCH_EXIT = 3;

/**
 * Checks (and on a fresh or pre-identity pair writes) the install identity in a child process:
 * lib/ needs the react-server condition, which this launcher does not run with. (Not spawnSync:
 * the embedded database and S3 run in this process and must keep answering.) False on a mismatch.
 */
async function databaseAndBucketBelongTogether(env: NodeJS.ProcessEnv, embeddedStorage: boolean): Promise<boolean> {
  const check = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/storage-check.ts", "--installation"], {
    env: { ...env, SWEEPER_INTERVAL_SECONDS: "0" },
    stdio: "inherit",
  });
  const status = await new Promise<number | null>((resolve) => {
    check.on("error", () => resolve(null));
    check.on("exit", (code) => resolve(code));
  });
  if (status === INSTALLATION_MISMATCH_EXIT) {
    if (embeddedStorage) {
      console.error(
        "Snapshelf: DATABASE_URL names a database that holds photos, but no bucket is configured (S3_BUCKET, S3_ENDPOINT, " +
          "S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, or STORAGE_DRIVER=azure with AZURE_*), so the embedded S3 in .data/ was started, " +
          "and their photos are not in it. Set the storage variables of the bucket this database belongs to.",
      );
    }
    return false;
  }
  // Any other failure (storage unreachable a moment): the sweeper checks again before it acts.
  if (status !== 0) console.error("Snapshelf: could not check the install identity; the sweeper will not act until it can.");
  return true;
}

async function main() {
  refuseEmbeddedDatabaseBesideExternalStorage();
  const stack = await startStack({ dataDir: path.join(root, ".data"), appUrl });
  const env = { ...process.env, ...stack.env, APP_URL: appUrl, PORT: port };
  const state: { next?: ChildProcess; stopping: boolean } = { stopping: false };

  const shutdown = async (code: number) => {
    if (state.stopping) return;
    state.stopping = true;
    const next = state.next;
    if (next?.pid && next.exitCode === null) {
      // `next start` runs the server in a grandchild process: signal the whole group.
      process.kill(-next.pid, "SIGTERM");
      await new Promise((resolve) => next.once("exit", resolve));
    }
    clearRunningStack(root);
    await stack.stop();
    process.exit(code);
  };
  writeRunningStack(root, stack);
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  console.log(
    `Snapshelf: ${stack.started.length ? `using ${stack.started.join(" and ")}, data in .data/` : "using the configured database and storage"}`,
  );

  if (!(await databaseAndBucketBelongTogether(env, stack.env.STORAGE_DRIVER !== undefined))) {
    console.error("Snapshelf: not starting (see above).");
    return shutdown(1);
  }

  if (mode === "start" && buildIsStale()) {
    console.log("Snapshelf: building the app (first start or changed sources)…");
    const build = spawnSync(process.execPath, [nextBin, "build"], { env, stdio: "inherit" });
    if (build.status !== 0) {
      console.error("Snapshelf: the build failed; see above.");
      return shutdown(1);
    }
  }

  state.next = spawn(process.execPath, [nextBin, mode, "--port", port], { env, stdio: "inherit", detached: true });
  state.next.on("exit", (code) => void shutdown(code ?? 0));
  // Last resort if this process dies another way: never leave Next's group running.
  process.on("exit", () => {
    if (state.next?.pid && state.next.exitCode === null) {
      try {
        process.kill(-state.next.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  });
}

main().catch((error: unknown) => {
  console.error(`Snapshelf could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
