/**
 * Starts whatever the configuration leaves out: PGlite when DATABASE_URL is unset,
 * s3rver (or Azurite, with EMBEDDED_STORAGE=azurite) when no storage is configured. Used by `npm start`/`npm run dev`
 * (scripts/serve.ts), the test runner (scripts/test.ts) and vitest's global setup,
 * so there is one way the embedded defaults come up.
 */
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import { startAzurite } from "./azurite";
import { startEmbeddedPostgres } from "./postgres";
import { startEmbeddedS3 } from "./s3";

export interface Stack {
  /** Variables to hand to the app and the tests (DATABASE_URL, S3_* or AZURE_*, BETTER_AUTH_SECRET…). */
  env: Record<string, string>;
  /** Human-readable list of what was started, for the one start-up log line. */
  started: string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Where embedded data lives; "memory" keeps the database in memory (tests). */
  dataDir: string;
  inMemoryDatabase?: boolean;
  appUrl: string;
  source?: Record<string, string | undefined>;
}

const isSet = (value: string | undefined) => value !== undefined && value !== "";

export async function startStack(options: StackOptions): Promise<Stack> {
  const source = options.source ?? process.env;
  const env: Record<string, string> = {};
  const started: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => {});
  };

  try {
    // The database, the bucket and the auth secret live here: owner-only, also when an older version made it wider.
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    chmodSync(options.dataDir, 0o700);

    if (!isSet(source.BETTER_AUTH_SECRET)) {
      if (source.NODE_ENV === "production" && isSet(source.DATABASE_URL)) {
        throw new Error("BETTER_AUTH_SECRET is required with an external database (generate one: openssl rand -base64 32).");
      }
      env.BETTER_AUTH_SECRET = readOrCreateSecret(path.join(options.dataDir, "auth-secret"));
    }

    if (!isSet(source.DATABASE_URL)) {
      const pg = await startEmbeddedPostgres({
        dataDir: options.inMemoryDatabase ? "memory://" : path.join(options.dataDir, "db"),
      });
      stops.push(pg.stop);
      env.DATABASE_URL = pg.url;
      env.DATABASE_POOL_SIZE = source.DATABASE_POOL_SIZE || "2";
      started.push(`embedded PostgreSQL (PGlite) on 127.0.0.1:${pg.port}`);
    }

    const storageConfigured =
      (source.STORAGE_DRIVER ?? "s3") === "azure" || isSet(source.S3_BUCKET) || isSet(source.S3_ENDPOINT);
    if (!storageConfigured) {
      const embedded = await startEmbeddedStorage(embeddedStorageKind(source), options);
      stops.push(embedded.stop);
      Object.assign(env, embedded.env);
      started.push(embedded.description);
    }

    await migrate({ ...source, ...env });
    return { env, started, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

type EmbeddedStorageKind = "s3rver" | "azurite";

/** EMBEDDED_STORAGE picks the emulator for the unconfigured default: s3rver (S3 API) or Azurite (Azure Blob API). */
function embeddedStorageKind(source: Record<string, string | undefined>): EmbeddedStorageKind {
  const value = source.EMBEDDED_STORAGE || "s3rver";
  if (value !== "s3rver" && value !== "azurite") {
    throw new Error(`EMBEDDED_STORAGE must be "s3rver" or "azurite", not "${value}".`);
  }
  return value;
}

const EMBEDDED_CONTAINER = "snapshelf";

async function startEmbeddedStorage(
  kind: EmbeddedStorageKind,
  options: StackOptions,
): Promise<{ env: Record<string, string>; description: string; stop(): Promise<void> }> {
  // The browser uploads to storage directly, so the app's origin must pass storage's CORS check.
  const allowedOrigins = [new URL(options.appUrl).origin];
  if (kind === "azurite") {
    const azurite = await startAzurite({ dir: path.join(options.dataDir, "azurite"), container: EMBEDDED_CONTAINER, allowedOrigins });
    return {
      env: {
        STORAGE_DRIVER: "azure",
        AZURE_STORAGE_ACCOUNT: azurite.account,
        AZURE_STORAGE_KEY: azurite.key,
        AZURE_STORAGE_CONTAINER: azurite.container,
        AZURE_BLOB_ENDPOINT: azurite.endpoint,
      },
      description: `embedded Azure Blob (Azurite) at ${azurite.endpoint}`,
      stop: azurite.stop,
    };
  }
  const s3 = await startEmbeddedS3({ dir: path.join(options.dataDir, "s3"), allowedOrigins });
  return {
    env: {
      STORAGE_DRIVER: "s3",
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_FORCE_PATH_STYLE: "true",
      S3_REGION: "us-east-1",
    },
    description: `embedded S3 (s3rver) at ${s3.endpoint}`,
    stop: s3.stop,
  };
}

function readOrCreateSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Applies pending migrations in a child process (the WASM schema engine wants a process of its own). */
export function migrate(env: Record<string, string | undefined>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/db/migrate.ts", "deploy"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`Database migration failed (exit ${code}).`))));
  });
}

/**
 * While `npm start` runs on embedded services, other commands (storage:check) must
 * talk to those same servers: two processes opening one PGlite data folder would
 * corrupt it. The running launcher leaves its connection settings here.
 */
const runningFile = (root: string) => path.join(root, ".data", "running.json");

export function writeRunningStack(root: string, stack: Stack) {
  if (stack.started.length === 0) return;
  writeFileSync(runningFile(root), JSON.stringify({ pid: process.pid, env: stack.env }), { mode: 0o600 });
}

export function clearRunningStack(root: string) {
  rmSync(runningFile(root), { force: true });
}

export function readRunningStack(root: string): Record<string, string> | undefined {
  if (!existsSync(runningFile(root))) return undefined;
  const { pid, env } = JSON.parse(readFileSync(runningFile(root), "utf8")) as { pid: number; env: Record<string, string> };
  try {
    process.kill(pid, 0);
    return env;
  } catch {
    return undefined;
  }
}
