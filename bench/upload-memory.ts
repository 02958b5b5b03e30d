// How much memory the app server spends on a 500 MB upload through the real flow:
// Chromium picks the file on the gallery page, the app signs a multipart upload,
// the parts go straight to the embedded S3, then the app verifies and processes.
// Reads VmRSS / VmHWM of the next-server process from /proc before, during and after.
//
//   npx tsx bench/upload-memory.ts
//
// Starts its own embedded PostgreSQL + S3 and `scripts/serve.ts start --port 3299`
// (UPLOAD_MAX_BYTES=600000000). The server builds into NEXT_DIST_DIR (default
// .next-bench) when that build is missing or stale; point NEXT_DIST_DIR at a fresh
// build to skip that. Two files are sent: random bytes (refused when complete
// sniffs them) and the same bytes behind a JPEG header (accepted by the sniff,
// refused when processing decodes them). Prints markdown.

import { spawn, type ChildProcess } from "node:child_process";
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from "../tests/helpers/chromium";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type Page, type Request } from "playwright";
import { startStack, type Stack } from "../scripts/embedded/stack";

const PORT = 3299;
const APP_URL = `http://localhost:${PORT}`;
const FILE_BYTES = 500 * 1000 * 1000;
const MAX_BYTES = 600_000_000;
const SAMPLE_MS = 100;
const IDLE_AFTER_MS = 10_000;
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------
// The server and its process

/** The next-server process under the launcher: `next start` runs it as a child of its own. */
function findNextServer(rootPid: number): number | undefined {
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (comm.startsWith("next-server") || cmdline.startsWith("next-server")) return pid;
    for (const task of readdirSafe(`/proc/${pid}/task`)) {
      const children = readSafe(`/proc/${pid}/task/${task}/children`).trim();
      if (children) queue.push(...children.split(/\s+/).map(Number));
    }
  }
  return undefined;
}

function readSafe(file: string) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** VmRSS and VmHWM (peak RSS since the process started) in MiB. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: kib("VmRSS") / 1024, hwm: kib("VmHWM") / 1024 };
}

async function waitForHealth(server: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}) before it was ready`);
    const ok = await fetch(`${APP_URL}/api/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the server was not ready within ${timeoutMs / 1000} s`);
}

async function startServer(stack: Stack): Promise<ChildProcess> {
  const server = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts", "start", "--port", String(PORT)], {
    env: {
      ...process.env,
      ...stack.env,
      APP_URL,
      NEXT_DIST_DIR: process.env.NEXT_DIST_DIR || ".next-bench",
      NEXT_TELEMETRY_DISABLED: "1",
      UPLOAD_MAX_BYTES: String(MAX_BYTES),
      // The sweeper would only add noise to the figures.
      SWEEPER_INTERVAL_SECONDS: "0",
    },
    // Its own process group, so stopping it stops next-server too.
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitForHealth(server, 240_000);
  return server;
}

async function stopServer(server: ChildProcess) {
  if (server.pid === undefined || server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  process.kill(-server.pid, "SIGTERM");
  await exited;
}

// ---------------------------------------------------------------------------------------
// The files

async function writeFile(file: string, header: Buffer) {
  const out = createWriteStream(file);
  out.write(header);
  let written = header.length;
  while (written < FILE_BYTES) {
    const chunk = randomBytes(Math.min(8 * MiB, FILE_BYTES - written));
    written += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

// SOI + a JFIF APP0 segment: enough for the sniff to call it a JPEG.
const JPEG_HEADER = Buffer.from("ffd8ffe000104a46494600010100000100010000", "hex");

// ---------------------------------------------------------------------------------------
// One upload through the UI

interface Measurement {
  label: string;
  outcome: string;
  transferSeconds: number;
  settleSeconds: number;
  before: number;
  peakDuringTransfer: number;
  peakAfterTransfer: number;
  after: number;
  partPuts: number;
  appRequestBytes: number;
}

async function measureUpload(page: Page, pid: number, storageOrigin: string, label: string, file: string): Promise<Measurement> {
  await page.goto("/");
  await page.getByRole("heading", { name: "Your photos" }).waitFor();

  let partPuts = 0;
  let lastPutDone = 0;
  let appRequestBytes = 0;
  const onRequest = (request: Request) => {
    if (new URL(request.url()).origin === new URL(APP_URL).origin) appRequestBytes += request.postDataBuffer()?.length ?? 0;
  };
  const onFinished = (request: Request) => {
    if (new URL(request.url()).origin === storageOrigin && request.method() === "PUT") {
      partPuts++;
      lastPutDone = Date.now();
    }
  };
  page.on("request", onRequest);
  page.on("requestfinished", onFinished);

  // Sampled all along; the transfer ends with the last part PUT.
  const samples: { at: number; rss: number }[] = [];
  const timer = setInterval(() => samples.push({ at: Date.now(), rss: memoryOf(pid).rss }), SAMPLE_MS);
  const before = memoryOf(pid).rss;
  const started = Date.now();

  await page.getByLabel("Choose photos").setInputFiles(file);
  const summary = page.getByRole("status").filter({ hasText: "uploaded" });
  await summary.filter({ hasText: /1 of 1 uploaded|1 failed/ }).waitFor({ timeout: 170_000 });
  const settled = Date.now();
  // Let the last samples in and any after-response work (after()) finish.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  clearInterval(timer);
  page.off("request", onRequest);
  page.off("requestfinished", onFinished);
  const after = memoryOf(pid).rss;

  // The row's reason when it failed, else its status.
  const row = page.getByRole("complementary", { name: "Uploads" }).getByRole("listitem");
  const reason = row.locator("p");
  const outcome = (await reason.count()) > 0 ? `failed: ${await reason.innerText()}` : "ready";
  const during = samples.filter((s) => s.at <= lastPutDone).map((s) => s.rss);
  const afterTransfer = samples.filter((s) => s.at > lastPutDone).map((s) => s.rss);
  return {
    label,
    outcome,
    transferSeconds: (lastPutDone - started) / 1000,
    settleSeconds: (settled - started) / 1000,
    before,
    peakDuringTransfer: Math.max(before, ...during),
    peakAfterTransfer: Math.max(0, ...afterTransfer),
    after,
    partPuts,
    appRequestBytes,
  };
}

// ---------------------------------------------------------------------------------------

async function main() {
  const work = await mkdtemp(path.join(os.tmpdir(), "snapshelf-bench-upload-"));
  const dataDir = path.resolve(".data", `bench-upload-${process.pid}`);
  const stack = await startStack({ dataDir, inMemoryDatabase: true, appUrl: APP_URL });
  const storageOrigin = new URL(stack.env.S3_ENDPOINT ?? process.env.S3_ENDPOINT!).origin;
  let server: ChildProcess | undefined;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_EXECUTABLE,
    args: CHROMIUM_ARGS,
  });
  try {
    const files = [
      { label: "500 MB of random bytes (refused by the sniff on complete)", file: path.join(work, "noise.jpg"), header: Buffer.alloc(0) },
      { label: "500 MB, JPEG header + random bytes (refused when decoded)", file: path.join(work, "fake.jpg"), header: JPEG_HEADER },
    ];
    await Promise.all(files.map((f) => writeFile(f.file, f.header)));

    server = await startServer(stack);
    const pid = findNextServer(server.pid!);
    if (!pid) throw new Error("could not find the next-server process");

    const context = await browser.newContext({ baseURL: APP_URL });
    const page = await context.newPage();
    const account = { name: "Bench", email: `bench-${Date.now()}@example.test`, password: "correct horse battery" };
    const signUp = await page.request.post("/api/auth/sign-up/email", { data: account, headers: { Origin: APP_URL } });
    if (!signUp.ok()) throw new Error(`sign-up failed: ${signUp.status()} ${await signUp.text()}`);
    // Warm the routes the upload uses, so first-request compilation and caches are not counted.
    await page.goto("/");
    const idle = memoryOf(pid);

    const results: Measurement[] = [];
    for (const f of files) results.push(await measureUpload(page, pid, storageOrigin, f.label, f.file));
    await new Promise((resolve) => setTimeout(resolve, IDLE_AFTER_MS));
    const final = memoryOf(pid);

    const mb = (n: number) => n.toFixed(0);
    console.log(`\n## App server memory during a ${FILE_BYTES / 1e6} MB upload (next-server pid ${pid})\n`);
    console.log(`Idle after sign-in and one gallery render: VmRSS ${mb(idle.rss)} MiB, VmHWM ${mb(idle.hwm)} MiB. ${os.cpus().length} cores.\n`);
    console.log("| file | part PUTs to storage | bytes the app received | transfer | until settled | RSS before | peak RSS while parts upload | peak RSS after (complete + processing) | RSS after | outcome |");
    console.log("|---|---|---|---|---|---|---|---|---|---|");
    for (const r of results) {
      console.log(
        `| ${r.label} | ${r.partPuts} | ${(r.appRequestBytes / 1024).toFixed(1)} KiB | ${r.transferSeconds.toFixed(1)} s | ${r.settleSeconds.toFixed(1)} s | ${mb(r.before)} MiB | ${mb(r.peakDuringTransfer)} MiB | ${mb(r.peakAfterTransfer)} MiB | ${mb(r.after)} MiB | ${r.outcome} |`,
      );
    }
    console.log(
      `\n${IDLE_AFTER_MS / 1000} s after the last upload: VmRSS ${mb(final.rss)} MiB; VmHWM (peak RSS since start) ${mb(final.hwm)} MiB. Sampled every ${SAMPLE_MS} ms from /proc/${pid}/status.`,
    );
  } finally {
    await browser.close();
    if (server) await stopServer(server);
    await stack.stop();
    rmSync(work, { recursive: true, force: true });
    if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
