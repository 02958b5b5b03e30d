/**
 * A real app server for the suites that need HTTP (limits, CSRF, headers, crashes)
 * and for bench/load.ts: `node --import tsx scripts/serve.ts start`, the launcher
 * `npm start` uses, on 127.0.0.1, against the database and storage given in `env`.
 * The launcher builds into NEXT_DIST_DIR when the build is missing or stale, so
 * the first start of a run can take minutes; later starts reuse that build.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";

export interface AppServer {
  /** http://127.0.0.1:<port> unless another APP_URL was asked for. */
  url: string;
  port: number;
  distDir: string;
  /** Pid of `next start` (leader of its own process group), for SIGKILL and RSS. */
  nextPid(): number | undefined;
  /** Resident memory of `next start` and its children, in bytes (from /proc). */
  rssBytes(): number;
  /** Ctrl-C: the launcher stops Next and exits. */
  stop(): Promise<void>;
  /** A crash: SIGKILL to Next's process group, no chance to clean up. */
  crash(): Promise<void>;
  log(): string;
}

export interface AppServerOptions {
  port: number;
  /** Variables on top of this process's (DATABASE_URL, S3_*, limits…). */
  env?: Record<string, string | undefined>;
  /** Defaults to http://127.0.0.1:<port>. A browser test passes the origin the bucket's CORS rules allow. */
  appUrl?: string;
  /** The build folder (support/world.ts: WORLD_DIST_DIR); built there when missing or stale. */
  distDir: string;
  logFile?: string;
  /** The first start may build (minutes on a busy machine). */
  timeoutMs?: number;
  /**
   * Start `next start` on the existing build directly, as a restart after a crash
   * does: the launcher would rebuild if anyone edited a source file meanwhile.
   */
  reuseBuild?: boolean;
}

// Variables of the test runner that must not leak into Next (NODE_ENV=test makes `next start` misbehave).
const DROPPED = ["NODE_ENV", "VITEST", "VITEST_MODE", "VITEST_POOL_ID", "VITEST_WORKER_ID", "TEST", "NODE_OPTIONS"];

export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const { distDir } = options;
  const url = options.appUrl ?? `http://127.0.0.1:${options.port}`;
  const reports = path.resolve(process.env.TEST_REPORTS_DIR ?? "test-reports");
  mkdirSync(reports, { recursive: true });
  const logFile = options.logFile ?? path.join(reports, `app-server-${options.port}.log`);
  const out = openSync(logFile, "a");

  // An option set to undefined removes the variable (e.g. to get a limit's default back).
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of DROPPED) delete env[key];
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  Object.assign(env, { NEXT_DIST_DIR: distDir, APP_URL: url, NEXT_TELEMETRY_DISABLED: "1", SWEEPER_INTERVAL_SECONDS: options.env?.SWEEPER_INTERVAL_SECONDS ?? "0" });

  const command = options.reuseBuild
    ? [path.join("node_modules", "next", "dist", "bin", "next"), "start", "--port", String(options.port)]
    : ["--import", "tsx", "scripts/serve.ts", "start", "--port", String(options.port)];
  const launcher = spawn(process.execPath, command, { env, stdio: ["ignore", out, out], detached: true });
  closeSync(out);
  const exited = new Promise<number | null>((resolve) => launcher.once("exit", (code) => resolve(code)));

  const log = () => readFileSync(logFile, "utf8");
  try {
    await waitForHealth(`http://127.0.0.1:${options.port}/api/health`, options.timeoutMs ?? 600_000, exited);
  } catch (error) {
    await stopLauncher(launcher, exited);
    throw new Error(`${(error as Error).message}\n--- app server log (${logFile}) ---\n${log().slice(-4000)}`);
  }

  // With the launcher, Next is its child; started directly, the process is Next itself.
  const nextPid = () => (options.reuseBuild ? launcher.pid : childrenOf(launcher.pid!).find((pid) => commandOf(pid).includes("next")));
  return {
    url,
    port: options.port,
    distDir,
    nextPid,
    rssBytes: () => {
      const pid = nextPid();
      return pid ? [pid, ...descendantsOf(pid)].reduce((sum, p) => sum + rssOf(p), 0) : 0;
    },
    stop: () => stopLauncher(launcher, exited),
    crash: async () => {
      const pid = nextPid();
      if (pid) killGroup(pid);
      // The launcher notices Next is gone and exits on its own.
      await Promise.race([exited, delay(10_000)]);
      if (launcher.exitCode === null) killGroup(launcher.pid!);
    },
    log,
  };
}

async function waitForHealth(url: string, timeoutMs: number, exited: Promise<number | null>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`the app server exited (code ${gone}) before it answered ${url}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await delay(500);
  }
  throw new Error(`the app server did not answer ${url} within ${timeoutMs / 1000} s`);
}

async function stopLauncher(launcher: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (launcher.exitCode !== null || launcher.signalCode !== null) return;
  // The launcher is its own group leader; it stops Next's group itself on SIGTERM.
  process.kill(-launcher.pid!, "SIGTERM");
  const done = await Promise.race([exited.then(() => true), delay(20_000).then(() => false)]);
  if (!done) {
    const next = childrenOf(launcher.pid!).find((pid) => commandOf(pid).includes("next"));
    if (next) killGroup(next);
    killGroup(launcher.pid!);
    await exited;
  }
}

function killGroup(leader: number) {
  try {
    process.kill(-leader, "SIGKILL");
  } catch {
    // already gone
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}

function rssOf(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
