// Load: many people uploading at once, plus gallery-feed and share-page traffic,
// against a production build on 127.0.0.1 with its own embedded PostgreSQL and S3
// (as scripts/test.ts starts them). Everything goes through the real HTTP surface:
// sign-up on better-auth's route, server actions POSTed with `Next-Action` like the
// browser does, PUTs straight to storage, /api/photos, /s/<token>.
//
//   npm run bench:load [-- --seconds 20 --uploads 50 --feed 5 --share 5] [-- --quick]
//                      [-- --postgres postgresql://postgres@127.0.0.1:5432/postgres]
//
// It runs on a throwaway database of the PostgreSQL server on 127.0.0.1 that --postgres
// or else DATABASE_URL names, and on an embedded PGlite (which answers one query at a
// time, inside this process) when neither is given.
//
// Prints throughput, p50/p95/p99 latency per kind, errors and the app's RSS, then
// checks, before any repairing sweep could hide a loss: no request failed; every
// upload the presign accepted is READY with its three objects, except the ones
// the load test cancelled itself, which are gone; the database holds exactly those
// rows; and dry-run sweeps and storage:check find nothing. Exit code 1 if not.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startAppServer } from "../tests/security/support/app-server";
import { fakeIp, newAccount, shareOverHttp, type ActionIds } from "../tests/security/support/http-flows";
import { HttpSession, readActionIds } from "../tests/security/support/http-session";
import { startWorld, WORLD_DIST_DIR } from "../tests/security/support/world";
import { formatBytes, machineInfo, quantile, sig, sleep } from "./lib/stats";

// lib/* starts with `import "server-only"`, which throws unless the react-server condition is set.
if (!process.execArgv.includes("--conditions=react-server")) {
  const child = spawnSync(process.execPath, ["--conditions=react-server", ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const quick = args.includes("--quick");
const postgresServer = args.includes("--postgres") ? args[args.indexOf("--postgres") + 1] : undefined;
const SECONDS = flag("seconds", quick ? 15 : 30);
const UPLOADERS = flag("uploads", quick ? 20 : 50);
const FEED_READERS = flag("feed", quick ? 3 : 5);
const SHARE_VISITORS = flag("share", quick ? 3 : 5);

const FIXTURES = [
  { name: "camera-gps-landscape.jpg", type: "image/jpeg" },
  { name: "camera-portrait-orientation-6.jpg", type: "image/jpeg" },
  { name: "photo-exif-gps.webp", type: "image/webp" },
  { name: "transparent.png", type: "image/png" },
  { name: "photo.avif", type: "image/avif" },
].map((f) => ({ ...f, body: readFileSync(path.join("tests", "fixtures", "photos", f.name)) }));

type Kind = "sign-up" | "presign" | "put" | "complete" | "cancel" | "upload→ready" | "feed" | "share page" | "share image";

/** Every upload the presign accepted, and the ones the load test cancelled itself (the only ones allowed not to end READY). */
interface Uploads {
  accepted: Set<string>;
  cancelled: Set<string>;
}

/** One upload in CANCEL_EVERY is cancelled after its presign, as a person changing their mind would (two in a --quick run). */
const CANCEL_EVERY = 10;

class Recorder {
  readonly samples = new Map<Kind, number[]>();
  readonly errors = new Map<Kind, string[]>();

  async time<T>(kind: Kind, work: () => Promise<T>): Promise<T | undefined> {
    const started = performance.now();
    try {
      const value = await work();
      this.add(kind, performance.now() - started);
      return value;
    } catch (error) {
      this.fail(kind, error);
      return undefined;
    }
  }

  fail(kind: Kind, error: unknown) {
    const list = this.errors.get(kind) ?? [];
    list.push(error instanceof Error ? error.message.slice(0, 200) : String(error));
    this.errors.set(kind, list);
  }

  add(kind: Kind, ms: number) {
    const list = this.samples.get(kind) ?? [];
    list.push(ms);
    this.samples.set(kind, list);
  }
}

async function expectStatus(response: Response, ...wanted: number[]): Promise<Response> {
  if (!wanted.includes(response.status)) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  await response.arrayBuffer();
  return response;
}

type Plan = { ok: true; photoId: string; mode: "single"; request: { url: string; headers: Record<string, string> } } | { ok: false; message: string };
type Outcome = { photoId: string; status: string; failureReason: string | null };

/** One person uploading photos one after another until the deadline, like the uploader (presign, PUT, complete, poll). */
async function uploader(session: HttpSession, ids: ActionIds, recorder: Recorder, deadline: number, uploads: Uploads, seed: number) {
  for (let i = seed; Date.now() < deadline; i++) {
    const file = FIXTURES[i % FIXTURES.length]!;
    const plan = await recorder.time("presign", async () => {
      const response = await session.action<Plan[]>("/", ids.createUploadsAction!, [{ files: [{ name: file.name, type: file.type, size: file.body.length }] }]);
      const result = response.result;
      if (!result?.ok) throw new Error(`presign: ${response.status} ${JSON.stringify(result?.error ?? response.body.slice(0, 200))}`);
      const first = result.data[0];
      if (!first?.ok) throw new Error(`presign refused the file: ${JSON.stringify(first)}`);
      return first;
    });
    if (!plan) continue;
    uploads.accepted.add(plan.photoId);
    if (i % CANCEL_EVERY === CANCEL_EVERY - 1) {
      const cancelled = await recorder.time("cancel", async () => {
        const response = await session.action<unknown>("/", ids.cancelUploadAction!, [{ photoId: plan.photoId }]);
        if (!response.result?.ok) throw new Error(`cancel: ${response.status} ${JSON.stringify(response.result ?? response.body.slice(0, 200))}`);
        return true;
      });
      if (cancelled) uploads.cancelled.add(plan.photoId);
      continue;
    }
    const startedAt = performance.now();
    const sent = await recorder.time("put", async () =>
      expectStatus(await fetch(plan.request.url, { method: "PUT", headers: plan.request.headers, body: new Uint8Array(file.body) }), 200),
    );
    if (!sent) continue;
    const outcome = await recorder.time("complete", async () => {
      const response = await session.action<Outcome>("/", ids.completeUploadAction!, [{ photoId: plan.photoId }]);
      if (!response.result?.ok) throw new Error(`complete: ${response.status} ${JSON.stringify(response.result ?? response.body.slice(0, 200))}`);
      return response.result.data;
    });
    if (!outcome) continue;
    // The end-to-end figure the person waits for: from the PUT's start until the photo is READY.
    try {
      await waitForReady(session, plan.photoId);
      recorder.add("upload→ready", performance.now() - startedAt);
    } catch (error) {
      recorder.fail("upload→ready", error);
    }
  }
}

/** Processing a fixture takes well under a second; a photo still not READY after this is stuck. */
const READY_WITHIN_MS = 120_000;

/** Polls /api/uploads/status like the uploader does. */
async function waitForReady(session: HttpSession, photoId: string) {
  for (const giveUpAt = Date.now() + READY_WITHIN_MS; ; ) {
    if (Date.now() > giveUpAt) throw new Error(`not READY after ${READY_WITHIN_MS / 1000} s`);
    const response = await session.request(`/api/uploads/status?ids=${photoId}`);
    if (response.status !== 200) throw new Error(`status: HTTP ${response.status}`);
    const { statuses } = (await response.json()) as { statuses: { status: string; failureReason: string | null }[] };
    const status = statuses[0]?.status;
    if (status === "READY") return;
    if (status === "FAILED") throw new Error(`FAILED: ${statuses[0]?.failureReason}`);
    await sleep(250);
  }
}

async function feedReader(session: HttpSession, recorder: Recorder, deadline: number) {
  while (Date.now() < deadline) {
    await recorder.time("feed", async () => expectStatus(await session.request("/api/photos"), 200));
  }
}

/** Many visitors opening a shared link: each request comes from another address, as it would in the wild. */
async function shareVisitor(baseUrl: string, token: string, recorder: Recorder, deadline: number) {
  for (let i = 0; Date.now() < deadline; i++) {
    const visitor = new HttpSession(baseUrl, fakeIp());
    await recorder.time("share page", async () => expectStatus(await visitor.request(`/s/${token}`), 200));
    if (i % 2 === 0) await recorder.time("share image", async () => expectStatus(await visitor.request(`/s/${token}/image`), 302));
  }
}

/** `npm run storage:check` (dry run) against the bench's database and bucket. */
function runStorageCheck(env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "scripts/storage-check.ts"], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}

async function main() {
  const startedAt = Date.now();
  console.log(`bench:load: ${UPLOADERS} uploaders, ${FEED_READERS} feed readers, ${SHARE_VISITORS} share visitors for ${SECONDS} s${quick ? " (--quick)" : ""}`);
  const world = await startWorld({ name: "bench-load", postgresServer });
  Object.assign(process.env, world.env);
  const app = await startAppServer({ port: world.appPort, distDir: WORLD_DIST_DIR, appUrl: world.appUrl, env: { ...world.env } }).catch(async (error: unknown) => {
    await world.stop();
    throw error;
  });
  const { db } = await import("@/lib/db");
  const { getStorage } = await import("@/lib/storage");
  const { sweep } = await import("@/lib/sweeper");
  let failed = false;
  try {
    const ids = readActionIds(WORLD_DIST_DIR);
    const recorder = new Recorder();

    // Accounts (timed too: sign-up hashes a password, the most CPU-heavy request there is).
    const sessions: HttpSession[] = [];
    await pool(Array.from({ length: UPLOADERS + 1 }, (_, i) => i), 4, async (i) => {
      const session = new HttpSession(app.url, fakeIp());
      const done = await recorder.time("sign-up", async () => expectStatus(await session.signUp(newAccount(`load-${i}`)), 200));
      if (done) sessions.push(session);
    });
    const sharer = sessions.pop()!;
    // One shared photo for the share traffic, and something in the feed.
    const sharePlan = await sharer.action<Plan[]>("/", ids.createUploadsAction!, [{ files: [{ name: FIXTURES[0]!.name, type: "image/jpeg", size: FIXTURES[0]!.body.length }] }]);
    const plan = sharePlan.result?.ok ? sharePlan.result.data[0] : undefined;
    if (!plan?.ok) throw new Error("could not presign the shared photo");
    await expectStatus(await fetch(plan.request.url, { method: "PUT", headers: plan.request.headers, body: new Uint8Array(FIXTURES[0]!.body) }), 200);
    await sharer.action("/", ids.completeUploadAction!, [{ photoId: plan.photoId }]);
    for (let tries = 0; (await db.photo.findUniqueOrThrow({ where: { id: plan.photoId } })).status !== "READY"; tries++) {
      if (tries > 240) throw new Error("the shared photo never became READY");
      await sleep(250);
    }
    const share = await shareOverHttp(sharer, ids, plan.photoId);

    // The load itself.
    const uploads: Uploads = { accepted: new Set([plan.photoId]), cancelled: new Set() };
    const rss: number[] = [];
    const idleRss = app.rssBytes();
    const sampler = setInterval(() => rss.push(app.rssBytes()), 1000);
    const loadBefore = os.loadavg().map((n) => n.toFixed(1));
    const loadStart = Date.now();
    const deadline = loadStart + SECONDS * 1000;
    await Promise.all([
      ...sessions.slice(0, UPLOADERS).map((session, i) => uploader(session, ids, recorder, deadline, uploads, i)),
      ...Array.from({ length: FEED_READERS }, (_, i) => feedReader(sessions[i % sessions.length]!, recorder, deadline)),
      ...Array.from({ length: SHARE_VISITORS }, () => shareVisitor(app.url, share.token, recorder, deadline)),
    ]);
    const wall = (Date.now() - loadStart) / 1000;
    clearInterval(sampler);
    rss.push(app.rssBytes());

    // Nothing lost, counted before anything repairs: every accepted upload but the cancelled ones
    // READY with all its objects, the cancelled ones gone, and no other row.
    const kept = [...uploads.accepted].filter((id) => !uploads.cancelled.has(id));
    const rows = await db.photo.findMany({ where: { id: { in: kept } } });
    const storage = getStorage();
    const intact = new Set<string>();
    for (const row of rows.filter((r) => r.status === "READY")) {
      const keys = [row.originalKey, row.thumbKey, row.largeKey];
      if ((await Promise.all(keys.map((key) => (key ? storage.head(key) : undefined)))).every(Boolean)) intact.add(row.id);
    }
    const lost = kept.filter((id) => !intact.has(id));
    const cancelledLeft = await db.photo.count({ where: { id: { in: [...uploads.cancelled] } } });
    const rowCount = await db.photo.count();
    const requestErrors = [...recorder.errors.values()].reduce((sum, list) => sum + list.length, 0);
    const dryRun = await sweep({ fix: false });
    const dryRunLater = await sweep({ fix: false, now: new Date(Date.now() + 60 * 60_000) });
    // Asynchronously: the embedded PostgreSQL runs in this process and must keep answering.
    const check = await runStorageCheck({ ...process.env, ...world.env });

    // Report.
    const machine = machineInfo();
    const lines: string[] = [];
    lines.push(`\n## bench:load — ${new Date().toISOString().slice(0, 16)}Z, ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}`);
    const database = world.database === "PGlite" ? `embedded PGlite (pool ${world.env.DATABASE_POOL_SIZE})` : `PostgreSQL ${world.database} (pool ${world.env.DATABASE_POOL_SIZE})`;
    lines.push(`${UPLOADERS} uploaders, ${FEED_READERS} feed readers, ${SHARE_VISITORS} share visitors, ${wall.toFixed(1)} s of load; ${database} + s3rver on 127.0.0.1; load average before ${loadBefore.join(" ")}\n`);
    lines.push("| kind | count | per s | p50 ms | p95 ms | p99 ms | errors |");
    lines.push("|---|---:|---:|---:|---:|---:|---:|");
    const kinds: Kind[] = ["sign-up", "presign", "put", "complete", "cancel", "upload→ready", "feed", "share page", "share image"];
    for (const kind of kinds) {
      const samples = recorder.samples.get(kind) ?? [];
      const errors = recorder.errors.get(kind)?.length ?? 0;
      const perSecond = kind === "sign-up" ? "–" : sig(samples.length / wall);
      lines.push(`| ${kind} | ${samples.length} | ${perSecond} | ${sig(quantile(samples, 0.5))} | ${sig(quantile(samples, 0.95))} | ${sig(quantile(samples, 0.99))} | ${errors} |`);
    }
    lines.push(`\nApp RSS (next start and children): idle ${formatBytes(idleRss)}, peak ${formatBytes(Math.max(...rss))}, end ${formatBytes(rss.at(-1) ?? 0)}.`);
    lines.push(
      `Uploads accepted: ${uploads.accepted.size}; cancelled by the load test: ${uploads.cancelled.size}; READY with all objects: ${intact.size} of ${kept.length}; lost: ${lost.length}${lost.length ? ` (${lost.slice(0, 5).join(", ")})` : ""}; cancelled rows left: ${cancelledLeft}; rows in the database: ${rowCount} (expected ${kept.length}); request errors: ${requestErrors}.`,
    );
    lines.push(`Dry-run sweep now: ${JSON.stringify(dryRun)}; an hour later: ${JSON.stringify(dryRunLater)}.`);
    lines.push(`storage:check: ${(check.stdout.trim().split("\n").at(-1) ?? "").trim() || check.stderr.trim()}`);
    for (const [kind, errors] of recorder.errors) lines.push(`errors (${kind}): ${[...new Set(errors)].slice(0, 3).join(" | ")}`);
    lines.push(`(total run ${((Date.now() - startedAt) / 1000).toFixed(0)} s including start-up)`);
    console.log(lines.join("\n"));

    const clean = Object.values(dryRun).every((n) => n === 0) && Object.values(dryRunLater).every((n) => n === 0);
    failed = requestErrors > 0 || lost.length > 0 || cancelledLeft > 0 || rowCount !== kept.length || !clean || check.status !== 0 || !/agree/.test(check.stdout);
    if (failed) console.log("\nbench:load: NOT CLEAN — see the lines above.");
  } finally {
    await app.stop();
    await db.$disconnect();
    await world.stop();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
