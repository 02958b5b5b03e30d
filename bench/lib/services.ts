// Starts what a benchmark measures against: embedded S3 and PGlite (each in its
// own process), a fresh database on the machine's real PostgreSQL, the Next.js
// app through the same launcher as `npm start`, and counting relays.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { migrate } from "../../scripts/embedded/stack";
import { sleep } from "./stats";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const DIST_DIR = process.env.NEXT_DIST_DIR || ".next-bench";
export const REAL_PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

const children = new Set<ChildProcess>();

/** Everything started here is stopped when the benchmark process ends, even on a crash. */
export function stopAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM"); // detached: its own process group
      } catch {
        child.kill("SIGTERM");
      }
    }
  }
}
process.on("exit", stopAllChildren);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stopAllChildren();
    process.exit(130);
  });
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

export async function stopChild(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    child.kill("SIGTERM");
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Starts `node --import tsx <script> args` and resolves with the JSON of its first stdout line. */
async function startJsonService<T>(script: string, args: string[], options: { ipc?: boolean } = {}): Promise<{ child: ChildProcess; info: T }> {
  const child = track(
    spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit", ...(options.ipc ? (["ipc"] as const) : [])],
      detached: true,
    }),
  );
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<T>((resolve, reject) => {
    lines.once("line", (line) => resolve(JSON.parse(line) as T));
    child.once("exit", (code) => reject(new Error(`${script} ${args[0] ?? ""} exited with ${code} before it was ready`)));
  });
  return { child, info };
}

const SERVICE = "bench/lib/service-process.ts";

export interface S3Service {
  child: ChildProcess;
  endpoint: string;
  port: number;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export async function startS3(dir: string, allowedOrigin: string): Promise<S3Service> {
  const { child, info } = await startJsonService<Omit<S3Service, "child">>(SERVICE, ["s3", dir, allowedOrigin]);
  return { child, ...info };
}

export async function startPglite(): Promise<{ child: ChildProcess; url: string }> {
  const { child, info } = await startJsonService<{ url: string }>(SERVICE, ["pglite"]);
  return { child, url: info.url };
}

export interface Relays {
  child: ChildProcess;
  ports: number[];
  /** Byte counts per relay since the last reset; `reset` zeroes them after reading. */
  read(reset?: boolean): Promise<{ received: number; sent: number; connections: number }[]>;
}

export async function startRelays(targetPorts: number[]): Promise<Relays> {
  const { child, info } = await startJsonService<{ ports: number[] }>(SERVICE, ["relay", ...targetPorts.map(String)], { ipc: true });
  return {
    child,
    ports: info.ports,
    read(reset = false) {
      return new Promise((resolve) => {
        child.once("message", (message) => resolve((message as { counts: { received: number; sent: number; connections: number }[] }).counts));
        child.send(reset ? "reset" : "counts");
      });
    },
  };
}

/** A throwaway database on the machine's PostgreSQL, or undefined when there is none. */
export async function createRealDatabase(name = `snapshelf_bench_${process.pid}`): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const admin = new pg.Client({ connectionString: REAL_PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(REAL_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: REAL_PG_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => client.end());
    },
  };
}

export async function migrateDatabase(databaseUrl: string): Promise<void> {
  await migrate({ DATABASE_URL: databaseUrl });
}

export async function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** The storage settings the app reads (lib/env.ts). */
export function s3Env(s3: S3Service, publicEndpoint?: string): Record<string, string> {
  return {
    STORAGE_DRIVER: "s3",
    S3_ENDPOINT: s3.endpoint,
    ...(publicEndpoint && { S3_PUBLIC_ENDPOINT: publicEndpoint }),
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: "true",
    S3_REGION: "us-east-1",
  };
}

export interface AppServer {
  launcher: ChildProcess;
  /** The `next start` process: CPU and memory are measured from here down (the launcher only waits). */
  serverPid: number;
  port: number;
  url: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The app exactly as `npm start` runs it (scripts/serve.ts: builds when sources
 * changed, then `next start`), on the given database and storage.
 */
export async function startApp(options: { port: number; env: Record<string, string>; log?: string; skipBuild?: boolean }): Promise<AppServer> {
  const skipBuild = options.skipBuild || Boolean(process.env.BENCH_SKIP_BUILD);
  const url = `http://localhost:${options.port}`;
  const env: Record<string, string> = {
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
    SWEEPER_INTERVAL_SECONDS: "0",
    SIGN_UP_RATE_LIMIT_PER_HOUR: "100000",
    SIGN_IN_RATE_LIMIT_PER_MINUTE: "100000",
    ...options.env,
    APP_URL: url,
    NEXT_DIST_DIR: DIST_DIR,
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production",
  };
  // `next build` rewrites tsconfig.json to include its dist folder; put it back as it was.
  const tsconfig = path.join(ROOT, "tsconfig.json");
  const tsconfigBefore = readFileSync(tsconfig, "utf8");
  // skipBuild (or BENCH_SKIP_BUILD=1) runs the build already in NEXT_DIST_DIR as it is (`next start`
  // without the launcher's staleness check): for a second server in the same run, or when unrelated
  // work in progress fails the type check.
  // With it, BENCH_CPU_PROFILE_DIR=<dir> also writes a V8 CPU profile of the server when it stops.
  const profile = process.env.BENCH_CPU_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [];
  const command = skipBuild
    ? [...profile, path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "start", "--port", String(options.port)]
    : ["--import", "tsx", "scripts/serve.ts", "start", "--port", String(options.port)];
  const launcher = track(
    spawn(process.execPath, command, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", options.log ? "pipe" : "ignore", "inherit"],
      detached: true,
    }),
  );
  if (options.log && launcher.stdout) {
    const { createWriteStream } = await import("node:fs");
    launcher.stdout.pipe(createWriteStream(options.log));
  }
  try {
    await waitForHttp(`${url}/api/health`, 15 * 60_000, launcher);
  } finally {
    if (readFileSync(tsconfig, "utf8") !== tsconfigBefore) writeFileSync(tsconfig, tsconfigBefore);
  }
  const { commandLine, processTree } = await import("./proc");
  const serverPid = skipBuild
    ? launcher.pid
    : processTree(launcher.pid!).find((pid) => pid !== launcher.pid && /next\b.*\bstart\b|next-server/.test(commandLine(pid)));
  if (!serverPid) throw new Error("could not find the next start process");
  return { launcher, serverPid, port: options.port, url, env, stop: () => stopChild(launcher) };
}

export function buildExists(): boolean {
  return existsSync(path.join(ROOT, DIST_DIR, "BUILD_ID"));
}

/** Signs up a fresh account through better-auth's HTTP API and returns its cookie header. */
export async function signUp(appUrl: string, label = "bench"): Promise<{ cookie: string; email: string; password: string }> {
  const email = `${label}-${randomBytes(4).toString("hex")}@example.test`;
  const password = "correct horse battery staple";
  const response = await fetch(`${appUrl}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: appUrl },
    body: JSON.stringify({ name: "Bench", email, password }),
  });
  if (!response.ok) throw new Error(`sign-up answered ${response.status}: ${await response.text()}`);
  return { cookie: cookieHeader(response), email, password };
}

export async function signIn(appUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${appUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: appUrl },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
  return cookieHeader(response);
}

function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}

/** The classic Express + multer-s3 proxy, on `port`, writing to the same bucket. */
export async function startBaseline(port: number, s3: S3Service): Promise<{ child: ChildProcess; pid: number; url: string; stop(): Promise<void> }> {
  const child = track(
    spawn(process.execPath, ["--import", "tsx", "bench/baselines/express-multer-s3.ts"], {
      cwd: ROOT,
      env: { ...process.env, ...s3Env(s3), PORT: String(port) },
      stdio: ["ignore", "pipe", "inherit"],
      detached: true,
    }),
  );
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.once("line", () => resolve());
    child.once("exit", (code) => reject(new Error(`the baseline exited with ${code}`)));
  });
  return { child, pid: child.pid!, url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}
