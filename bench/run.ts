// `npm run bench` (full, < 15 min) and `npm run bench:quick` (CI subset, ~2 min
// plus a build when the sources changed): every benchmark of docs/BENCHMARKS.md
// on this machine, side by side in one run, then the report.
//
//   tsx bench/run.ts [--quick] [--huge] [--only upload,presign,processing,feed,browser]
//
// --huge adds the 1 GB × 16 cell (16 GB through each system; not within 15 min here).
// Only 127.0.0.1 is ever a target. The full run rewrites docs/BENCHMARKS.md and
// docs/charts/*.svg (or $BENCH_OUT when set); a quick run writes its report to
// $BENCH_OUT (default: a temporary folder). A run fails when a benchmark breaks,
// never on a missed goal.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ActionClient } from "./lib/actions";
import { machineInfo, GiB, MiB } from "./lib/stats";
import {
  createRealDatabase,
  migrateDatabase,
  ROOT,
  s3Env,
  signIn,
  signUp,
  startApp,
  startBaseline,
  startPglite,
  startRelays,
  startS3,
  stopAllChildren,
  stopChild,
  type AppServer,
} from "./lib/services";
import { freePort } from "../scripts/ports";
import { runPresignBench } from "./presign";
import { runFeedBench, seedDemo, type FeedRow } from "./feed";
import { runBrowserBench } from "./browser";
import { combineRuns, makeInputFile, runUploadCell, sameNameCollisions, type System, type UploadCellResult, type UploadContext } from "./upload";
import { writeReport, type BenchResults } from "./report";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const HUGE = args.includes("--huge");
const onlyIndex = args.indexOf("--only");
const ONLY = onlyIndex >= 0 ? new Set((args[onlyIndex + 1] ?? "").split(",")) : undefined;
const wanted = (section: string) => !ONLY || ONLY.has(section);

interface UploadCellPlan {
  size: number;
  concurrency: number;
  files: number;
  runs: number;
}

const UPLOAD_PLAN: UploadCellPlan[] = QUICK
  ? [
      { size: MiB, concurrency: 1, files: 8, runs: 1 },
      { size: MiB, concurrency: 16, files: 32, runs: 1 },
      { size: 10 * MiB, concurrency: 1, files: 2, runs: 1 },
      { size: 10 * MiB, concurrency: 16, files: 16, runs: 1 },
    ]
  : [
      { size: MiB, concurrency: 1, files: 16, runs: 3 },
      { size: MiB, concurrency: 16, files: 64, runs: 3 },
      { size: 10 * MiB, concurrency: 1, files: 4, runs: 3 },
      { size: 10 * MiB, concurrency: 16, files: 16, runs: 3 },
      { size: 100 * MiB, concurrency: 1, files: 2, runs: 1 },
      { size: 100 * MiB, concurrency: 16, files: 16, runs: 1 },
      { size: GiB, concurrency: 1, files: 1, runs: 1 },
      ...(HUGE ? [{ size: GiB, concurrency: 16, files: 16, runs: 1 }] : []),
    ];

const FEED_SIZES = QUICK ? [10_000] : [10_000, 100_000];
const BROWSER_PHOTOS = 1_000;

function log(message: string) {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(0).padStart(4);
  console.log(`[bench ${seconds} s] ${message}`);
}
const startedAt = performance.now();

function runProcessingBench(jsonFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/processing.ts", ...(QUICK ? ["--quick"] : []), "--json", jsonFile], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`bench/processing.ts exited with ${code}`))));
  });
}

/** Removes what the proxy stored (its keys are in the bucket's root), so every cell starts from the same bucket. */
function clearProxyObjects(s3Dir: string, bucket: string) {
  const dir = path.join(s3Dir, bucket);
  for (const entry of readdirSync(dir)) {
    if (/^\d+-IMG_/.test(entry)) rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
}

/** Which code was measured: BENCH_SOURCE when set (e.g. for an exported tree), else the commit and whether the tree had changes. */
function describeSource(): string {
  if (process.env.BENCH_SOURCE) return process.env.BENCH_SOURCE;
  const git = (...gitArgs: string[]) => spawnSync("git", gitArgs, { cwd: ROOT, encoding: "utf8" }).stdout?.trim() ?? "";
  const commit = git("rev-parse", "--short", "HEAD");
  if (!commit) return "unknown (no git checkout)";
  return git("status", "--porcelain", "--untracked-files=no") ? `commit ${commit} plus uncommitted changes in the working tree` : `commit ${commit}`;
}

async function main() {
  const results: BenchResults = { quick: QUICK, huge: HUGE, machine: machineInfo(), startedAt: new Date().toISOString(), source: describeSource(), errors: [] };
  const scratch = path.join(os.tmpdir(), `snapshelf-bench-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  const section = async (name: string, run: () => Promise<void>) => {
    if (!wanted(name)) return;
    const started = performance.now();
    log(`${name}…`);
    try {
      await run();
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      results.errors.push(`${name}: ${message}`);
      log(`${name} FAILED: ${message}`);
    }
    (results.sectionSeconds ??= {})[name] = (performance.now() - started) / 1000;
  };

  // 3. Processing first, while nothing else of ours runs.
  await section("processing", async () => {
    const file = path.join(scratch, "processing.json");
    await runProcessingBench(file);
    results.processing = JSON.parse(readFileSync(file, "utf8"));
  });

  const needsServer = ["upload", "presign", "feed", "browser"].some(wanted);
  let app: AppServer | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    if (needsServer) {
      const appPort = Number(process.env.E2E_PORT ?? 3205);
      const appUrl = `http://localhost:${appPort}`;
      const s3Dir = path.join(scratch, "s3");
      const s3 = await startS3(s3Dir, appUrl);
      const baselinePort = await freePort();
      const relays = await startRelays([appPort, baselinePort, s3.port]);
      const [appRelay, baselineRelay, storageRelay] = relays.ports as [number, number, number];
      const real = await createRealDatabase();
      let databaseUrl: string;
      if (real) {
        cleanups.push(() => real.drop());
        databaseUrl = real.url;
        results.serverDatabase = "PostgreSQL 15 on 127.0.0.1:5432 (fresh database)";
      } else {
        const pglite = await startPglite();
        databaseUrl = pglite.url;
        results.serverDatabase = "PGlite (no PostgreSQL on 127.0.0.1:5432)";
      }
      await migrateDatabase(databaseUrl);
      const storageEnv = s3Env(s3, `http://127.0.0.1:${storageRelay}`);
      const appEnv = {
        ...storageEnv,
        DATABASE_URL: databaseUrl,
        UPLOAD_MAX_BYTES: String(2 * GiB),
        USER_QUOTA_BYTES: String(1024 * GiB),
        PRESIGN_RATE_LIMIT_PER_MINUTE: "10000000",
      };
      log("starting the app (builds first when the sources changed)…");
      const appStarted = performance.now();
      app = await startApp({ port: appPort, env: appEnv, log: path.join(scratch, "app.log") });
      results.appStartSeconds = (performance.now() - appStarted) / 1000;
      cleanups.push(() => app!.stop());
      log(`app ready in ${results.appStartSeconds.toFixed(0)} s`);
      const user = await signUp(app.url);
      const client = new ActionClient({ port: appRelay, appUrl: app.url, cookie: user.cookie });

      await section("upload", async () => {
        const baseline = await startBaseline(baselinePort, s3);
        cleanups.push(() => baseline.stop());
        const ctx: UploadContext = {
          appUrl: app!.url,
          appRelayPort: appRelay,
          appPid: app!.serverPid,
          baselineUrl: baseline.url,
          baselineRelayPort: baselineRelay,
          baselinePid: baseline.pid,
          relays,
          relayIndex: { app: 0, baseline: 1, storage: 2 },
          cookie: user.cookie,
          scratchDir: scratch,
        };
        const inputs = new Map<number, string>();
        const input = (size: number) => inputs.get(size) ?? inputs.set(size, makeInputFile(scratch, size)).get(size)!;
        // Warm both servers (JIT, connection pools) on the smallest files before timing.
        for (const system of ["proxy", "direct"] as const) await runUploadCell(ctx, system, input(MiB), MiB, 8, 4);
        clearProxyObjects(s3Dir, s3.bucket);
        const cells: UploadCellResult[] = [];
        for (const plan of UPLOAD_PLAN) {
          const runs: Record<System, UploadCellResult[]> = { proxy: [], direct: [] };
          for (let run = 0; run < plan.runs; run++) {
            // Alternate which system goes first.
            const order: System[] = run % 2 === 0 ? ["proxy", "direct"] : ["direct", "proxy"];
            for (const system of order) {
              runs[system].push(await runUploadCell(ctx, system, input(plan.size), plan.size, plan.files, plan.concurrency));
              clearProxyObjects(s3Dir, s3.bucket);
            }
          }
          for (const system of ["proxy", "direct"] as const) cells.push(combineRuns(runs[system]));
          const [proxy, direct] = cells.slice(-2) as [UploadCellResult, UploadCellResult];
          log(
            `upload ${plan.size / MiB} MB ×${plan.concurrency}: proxy ${proxy.cpuSeconds.toFixed(2)} CPU-s ${proxy.wallSeconds.toFixed(1)} s, ` +
              `direct ${direct.cpuSeconds.toFixed(2)} CPU-s ${direct.wallSeconds.toFixed(1)} s, errors ${proxy.errors.length}/${direct.errors.length}`,
          );
        }
        const collisions = await sameNameCollisions(ctx, input(MiB), MiB, 16);
        clearProxyObjects(s3Dir, s3.bucket);
        results.upload = { cells, collisions };
        await baseline.stop();
        for (const file of inputs.values()) rmSync(file, { force: true });
      });

      await section("presign", async () => {
        results.presign = await runPresignBench({
          client,
          appPid: app!.serverPid,
          s3,
          runs: QUICK ? 1 : 3,
          seconds: QUICK ? 2 : 3,
          inFlight: 8,
        });
      });

      await section("browser", async () => {
        const email = `gallery-${process.pid}@example.test`;
        const password = "correct horse battery staple";
        await seedDemo({ ...appEnv, BETTER_AUTH_SECRET: app!.env.BETTER_AUTH_SECRET!, APP_URL: app!.url }, BROWSER_PHOTOS, email, password);
        results.browser = await runBrowserBench({ appUrl: app!.url, email, password, photos: BROWSER_PHOTOS, loads: QUICK ? 1 : 5 });
      });

      await section("feed", async () => {
        const feed: FeedRow[] = [];
        const measure = async (database: string, target: AppServer, url: string) => {
          for (const photos of FEED_SIZES) {
            const email = `feed-${photos}-${process.pid}@example.test`;
            const password = "correct horse battery staple";
            const seedSeconds = await seedDemo({ ...target.env, DATABASE_URL: url }, photos, email, password);
            log(`feed: seeded ${photos.toLocaleString("en")} photos into ${database} in ${seedSeconds.toFixed(1)} s`);
            const cookie = await signIn(target.url, email, password);
            feed.push({ ...(await runFeedBench({ appEnv: target.env, database, databaseUrl: url, appUrl: target.url, cookie, email, photos, samples: QUICK ? 30 : 40 })), seedSeconds } as FeedRow);
          }
        };
        await measure(real ? "PostgreSQL 15" : "PGlite", app!, databaseUrl);
        if (real && !QUICK) {
          // The embedded default: PGlite, with the app on a second port.
          const pglite = await startPglite();
          cleanups.push(() => stopChild(pglite.child));
          await migrateDatabase(pglite.url);
          const port = await freePort();
          const second = await startApp({ port, env: { ...appEnv, DATABASE_URL: pglite.url, DATABASE_POOL_SIZE: "2" }, skipBuild: true });
          cleanups.push(() => second.stop());
          await measure("PGlite (embedded)", second, pglite.url);
          await second.stop();
        }
        results.feed = feed;
      });
    }
  } catch (error) {
    results.errors.push(`setup: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    stopAllChildren();
  }

  results.totalSeconds = (performance.now() - startedAt) / 1000;
  const outDir = process.env.BENCH_OUT ?? (QUICK ? path.join(scratch, "report") : path.join(ROOT, "docs"));
  const written = writeReport(results, outDir);
  rmSync(path.join(scratch, "s3"), { recursive: true, force: true });
  log(`report: ${written.join(", ")}`);
  log(`done in ${(results.totalSeconds / 60).toFixed(1)} min${results.errors.length ? ` with ${results.errors.length} error(s)` : ""}`);
  writeFileSync(path.join(scratch, "results.json"), JSON.stringify(results, null, 2));
  process.exit(results.errors.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  stopAllChildren();
  process.exit(1);
});
